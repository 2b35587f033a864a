import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SessionPeer } from '@app/session';

/** A connected agent: its cluster and the peer that calls it over its session. */
export interface AgentSession {
  clusterId: string;
  peer: SessionPeer;
  connectedAt: Date;
  /** Ends the session (the agent reconnects). */
  close(reason: string): void;
}

/**
 * The agents connected now, one session per cluster: a newer session of the
 * same cluster (an agent that reconnected before the old stream noticed it
 * was dead) replaces the older one.
 */
@Injectable()
export class AgentSessions {
  private readonly logger = new Logger(AgentSessions.name);
  private readonly byCluster = new Map<string, AgentSession>();
  private readonly events: Counter<'event'>;

  constructor(@Inject(Registry) registry: Registry) {
    const sessions = this.byCluster;
    new Gauge({
      name: 'gateway_agent_sessions',
      help: 'Agents connected now (one session per cluster).',
      registers: [registry],
      collect() {
        this.set(sessions.size);
      },
    });
    this.events = new Counter({
      name: 'gateway_agent_session_events_total',
      help: 'Agent sessions opened, closed, and replaced by a newer session of the same cluster.',
      labelNames: ['event'],
      registers: [registry],
    });
  }

  add(session: AgentSession): void {
    const previous = this.byCluster.get(session.clusterId);
    this.byCluster.set(session.clusterId, session);
    this.events.inc({ event: 'opened' });
    this.logger.log(
      { event: 'agent-connected', cluster: session.clusterId },
      `agent of cluster ${session.clusterId} connected`,
    );
    if (previous) {
      this.events.inc({ event: 'replaced' });
      previous.close('replaced by a newer session of the same cluster');
    }
  }

  remove(session: AgentSession, reason: string): void {
    if (this.byCluster.get(session.clusterId) !== session) return; // replaced meanwhile
    this.byCluster.delete(session.clusterId);
    this.events.inc({ event: 'closed' });
    this.logger.log(
      { event: 'agent-disconnected', cluster: session.clusterId, reason },
      `agent of cluster ${session.clusterId} disconnected: ${reason}`,
    );
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ServiceName } from '@app/proto';
import type { SessionPeer, SessionServiceImplementation } from '@app/session';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import { notConnected, REPLACED, SESSION_DIRECTORY, type SessionDirectory } from './session-directory.js';

/** A connected agent: its cluster and the peer that calls it over its session. */
export interface AgentSession {
  clusterId: string;
  peer: SessionPeer;
  connectedAt: Date;
  /** The agent's address as the gateway's gRPC server saw it. */
  address: string;
  agentVersion: string;
  /** Ends the session with the status code (default ABORTED: the agent reconnects; UNAUTHENTICATED: it stops). */
  close(reason: string, code?: GrpcStatus): void;
}

/** A service some module serves to every agent over its session, given that agent's session. */
type SessionService = (session: AgentSession) => void;

/** What a module does when an agent's session starts or ends. */
export interface SessionListener {
  sessionStarted?(session: AgentSession): void;
  sessionEnded?(session: AgentSession): void;
}

/**
 * The agents connected now, one session per cluster: a newer session of the
 * same cluster (an agent that reconnected before the old stream noticed it
 * was dead) replaces the older one. Modules serve their services to every
 * session (serve) and hear sessions start and end (listen) through it, so the
 * session controller knows none of them; every connection is recorded in the
 * cluster registry (the cluster is registered on its first). Replicas sharing
 * a database hold each cluster's session on one of them: each session is
 * claimed in the SessionDirectory, which replaces another replica's.
 */
@Injectable()
export class AgentSessions {
  private readonly logger = new Logger(AgentSessions.name);
  private readonly byCluster = new Map<string, AgentSession>();
  private readonly events: Counter<'event'>;
  private readonly services: SessionService[] = [];
  private readonly listeners: SessionListener[] = [];

  constructor(
    @Inject(Registry) registry: Registry,
    private readonly clusters: ClusterRegistry,
    @Inject(SESSION_DIRECTORY) private readonly directory: SessionDirectory,
  ) {
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

  /** Serves a service to every agent session from now on; call while the application starts. */
  serve<S extends ServiceName>(
    service: S,
    implementationFor: (session: AgentSession) => SessionServiceImplementation<S>,
  ): void {
    this.services.push((session) => session.peer.serve(service, implementationFor(session)));
  }

  /** Adds a listener of sessions starting and ending; call while the application starts. */
  listen(listener: SessionListener): void {
    this.listeners.push(listener);
  }

  /** The cluster's session held by this replica; UnavailableError when its agent is not connected here. */
  session(clusterId: string): AgentSession {
    const session = this.byCluster.get(clusterId);
    if (!session) throw notConnected(clusterId);
    return session;
  }

  /** The cluster's session if this replica holds it. */
  heldHere(clusterId: string): AgentSession | undefined {
    return this.byCluster.get(clusterId);
  }

  /**
   * Ends the cluster's session, wherever a replica holds it, with
   * UNAUTHENTICATED: its agent stops reconnecting. A replica that cannot be
   * told is logged, not thrown: the cluster is gone, so its agent's next
   * session is refused anyway.
   */
  async closeCluster(clusterId: string, reason: string): Promise<void> {
    if (this.byCluster.has(clusterId)) return this.closeHere(clusterId, reason, GrpcStatus.UNAUTHENTICATED);
    await this.directory
      .close(clusterId, reason, GrpcStatus.UNAUTHENTICATED)
      .catch((error: Error) =>
        this.logger.warn(
          { event: 'session-close-not-sent', cluster: clusterId, err: error },
          `could not ask the replica holding the session of cluster ${clusterId} to close it: ${error.message}`,
        ),
      );
  }

  /** Ends the cluster's session held by this replica, if any (another replica asked). */
  closeHere(clusterId: string, reason: string, code: GrpcStatus): void {
    const session = this.byCluster.get(clusterId);
    if (!session) return;
    if (reason === REPLACED) this.events.inc({ event: 'replaced' }); // by a session on another replica
    session.close(reason, code);
  }

  /** The clusters whose agents hold their sessions with other replicas (none for a single gateway). */
  connectedElsewhere(): Promise<Set<string>> {
    return this.directory.heldElsewhere();
  }

  /** Every session connected now. */
  all(): AgentSession[] {
    return [...this.byCluster.values()];
  }

  /** A new session, after its Hello was accepted: serves the modules' services on it, then announces it. */
  async add(session: AgentSession): Promise<void> {
    for (const serve of this.services) serve(session);
    const previous = this.byCluster.get(session.clusterId);
    this.byCluster.set(session.clusterId, session);
    this.events.inc({ event: 'opened' });
    this.logger.log(
      { event: 'agent-connected', cluster: session.clusterId },
      `agent of cluster ${session.clusterId} connected`,
    );
    if (previous) {
      this.events.inc({ event: 'replaced' });
      previous.close(REPLACED);
    }
    // Recorded, then claimed for every replica: no replica counts it connected before its record names this
    // connection. The listeners hear of it once both are done.
    const { clusterId, address, agentVersion } = session;
    await this.clusters.connected(clusterId, { address, agentVersion });
    await this.directory.claim(clusterId);
    if (this.byCluster.get(session.clusterId) !== session) return; // ended (or replaced) meanwhile
    for (const listener of this.listeners) listener.sessionStarted?.(session);
  }

  remove(session: AgentSession, reason: string): void {
    if (this.byCluster.get(session.clusterId) !== session) return; // replaced meanwhile
    this.byCluster.delete(session.clusterId);
    this.clusters.disconnected(session.clusterId);
    this.directory.release(session.clusterId).catch((error: Error) =>
      // Its row outlives it: other replicas' calls are routed here and answered "not connected".
      this.logger.warn(
        { event: 'session-release-failed', cluster: session.clusterId, err: error },
        `could not record the end of the session of cluster ${session.clusterId}: ${error.message}`,
      ),
    );
    this.events.inc({ event: 'closed' });
    this.logger.log(
      { event: 'agent-disconnected', cluster: session.clusterId, reason },
      `agent of cluster ${session.clusterId} disconnected: ${reason}`,
    );
    for (const listener of this.listeners) listener.sessionEnded?.(session);
  }
}

import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { core } from '@app/proto';
import { ClusterRegistry } from '../cluster-registry.js';
import { AgentNodes } from '../../sessions/agent-nodes.js';
import { AgentSessions, type AgentSession } from '../../sessions/agent-sessions.js';

/** Injection token of how often the gateway polls each connected agent's health (ms). */
export const HEALTH_POLL_INTERVAL_MS = Symbol('HealthPollIntervalMs');

/**
 * Keeps each connected cluster's last health in the registry: agents push it
 * when it changes (control.HealthListener/UpdateHealth, served on every
 * session) and the gateway also polls (control.Health/GetHealth) when a
 * session starts and every interval, so a missed push is corrected.
 */
@Injectable()
export class ClusterHealth implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ClusterHealth.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sessions: AgentSessions,
    private readonly nodes: AgentNodes,
    private readonly clusters: ClusterRegistry,
    @Inject(HEALTH_POLL_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onModuleInit(): void {
    this.sessions.serve('control.HealthListener', (session) => ({
      updateHealth: async (health) => {
        this.clusters.setHealth(session.clusterId, health);
        return {};
      },
    }));
    this.sessions.listen({ sessionStarted: (session) => void this.poll(session) });
    this.timer = setInterval(() => {
      for (const session of this.sessions.all()) void this.poll(session);
    }, this.intervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Asks the agent now (over its session) and records the answer. */
  async refresh(clusterId: string): Promise<core.Health> {
    const health = await this.nodes.getHealth(clusterId);
    this.clusters.setHealth(clusterId, health);
    return health;
  }

  private async poll(session: AgentSession): Promise<void> {
    try {
      await this.refresh(session.clusterId);
    } catch (error) {
      this.logger.debug(
        { event: 'health-poll-failed', cluster: session.clusterId, err: error },
        `could not poll the health of cluster ${session.clusterId}: ${(error as Error).message}`,
      );
    }
  }
}

import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConditionTracker } from '@app/capability';
import type { SessionPeer } from '@app/session';
import { GatewayConnection, type SessionUser } from '../uplink/session/gateway-connection.js';
import { AgentHealth } from './agent-health.js';

/**
 * The agent's health for the gateway, over the agent's own session: serves
 * control.Health/GetHealth (the gateway polls) and pushes every change of the
 * conditions (control.HealthListener/UpdateHealth).
 */
@Injectable()
export class HealthReporter implements SessionUser, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(HealthReporter.name);
  private peer?: SessionPeer;
  private unsubscribe?: () => void;

  constructor(
    private readonly health: AgentHealth,
    private readonly conditions: ConditionTracker,
    private readonly connection: GatewayConnection,
  ) {}

  onModuleInit(): void {
    this.connection.use(this);
    this.unsubscribe = this.conditions.onChange(() => this.report());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  sessionStarted(peer: SessionPeer): void {
    this.peer = peer;
    peer.serve('control.Health', { getHealth: async () => this.health.health() });
  }

  sessionEnded(): void {
    this.peer = undefined;
  }

  private report(): void {
    const peer = this.peer;
    if (!peer) return; // the gateway polls when the next session starts
    peer
      .call('control.HealthListener', 'updateHealth', this.health.health())
      .catch((error: Error) =>
        this.logger.debug(
          { event: 'health-report-failed', err: error },
          `could not report a health change to the gateway: ${error.message}`,
        ),
      );
  }
}

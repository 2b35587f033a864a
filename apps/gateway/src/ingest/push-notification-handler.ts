import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { alerting } from '@app/proto';
import { FailedPreconditionError } from '@app/runtime';
import { AgentSessions, type AgentSession } from '../sessions/agent-sessions.js';
import { NotificationIngest } from './notification-ingest.js';

/**
 * alerting.PushNotificationService, served to every agent over its session:
 * Push ingests the notification for the session's authenticated cluster and,
 * once it is stored, calls Resolve back at the agent. Resolve itself is the
 * gateway's call, never served here.
 */
@Injectable()
export class PushNotificationHandler implements OnModuleInit {
  private readonly logger = new Logger(PushNotificationHandler.name);

  constructor(
    private readonly sessions: AgentSessions,
    private readonly ingest: NotificationIngest,
  ) {}

  onModuleInit(): void {
    this.sessions.serve('alerting.PushNotificationService', (session) => ({
      push: (notification) => this.push(session, notification),
      resolve: async () => {
        throw new FailedPreconditionError('Resolve is called by the gateway, not served by it');
      },
    }));
  }

  async push(session: AgentSession, notification: alerting.Notification): Promise<Record<string, never>> {
    const { clusterId, peer } = session;
    const { stored } = await this.ingest.ingest(clusterId, notification);
    // Stored durably (or already was): now, and only now, the agent may forget it.
    peer
      .call('alerting.PushNotificationService', 'resolve', { id: stored.id })
      .catch((error: Error) =>
        this.logger.debug(
          { event: 'resolve-failed', cluster: clusterId, id: stored.id, err: error },
          `Resolve(${stored.id}) to cluster ${clusterId} failed; the agent pushes it again after reconnecting`,
        ),
      );
    return {};
  }
}

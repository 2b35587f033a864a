import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters.module.js';
import { durationMs, GatewaySettings } from '../../config/gateway-settings.js';
import { NotificationsModule } from '../../notifications/notifications.module.js';
import { SessionsModule } from '../../sessions/sessions.module.js';
import { ClusterHealth, HEALTH_POLL_INTERVAL_MS } from './cluster-health.js';
import { ClustersController } from './clusters.controller.js';

/** What operators see of their clusters: the HTTP clusters API, and the agents' health kept current. */
@Module({
  imports: [ClustersModule, SessionsModule, NotificationsModule],
  controllers: [ClustersController],
  providers: [
    ClusterHealth,
    {
      provide: HEALTH_POLL_INTERVAL_MS,
      inject: [GatewaySettings],
      useFactory: (settings: GatewaySettings) => durationMs(settings.healthPollInterval),
    },
  ],
})
export class ClusterStatusModule {}

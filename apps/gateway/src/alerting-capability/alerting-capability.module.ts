import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@app/runtime';
import { ClustersModule } from '../clusters/clusters.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AlertingAdminController } from './alerting-admin.controller.js';
import { AlertingBackend } from './alerting-backend.js';
import { AlertingDriver } from './alerting-driver.js';
import { AlertingNodeSync } from './alerting-node-sync.js';
import { BackendController } from './backend.controller.js';

/**
 * The alerting capability at the gateway: capability.Backend (gRPC) and its
 * admin HTTP API, the persisted uninstall tasks (over the TASK_STORE port,
 * bound by StorageModule), and the node configuration
 * agents sync over their sessions.
 */
@Module({
  imports: [ClustersModule, SessionsModule, NotificationsModule],
  controllers: [BackendController, AlertingAdminController],
  providers: [AlertingBackend, AlertingDriver, AlertingNodeSync, { provide: CLOCK, useValue: systemClock }],
})
export class AlertingCapabilityModule {}

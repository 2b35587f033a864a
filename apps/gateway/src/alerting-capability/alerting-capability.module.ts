import { join } from 'node:path';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { SqliteTaskStore, TASK_STORE, type TaskStore } from '@app/capability';
import { CLOCK, systemClock } from '@app/runtime';
import { ClustersModule } from '../clusters/clusters.module.js';
import { GatewaySettings } from '../config/gateway-settings.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AlertingAdminController } from './alerting-admin.controller.js';
import { AlertingBackend } from './alerting-backend.js';
import { AlertingDriver } from './alerting-driver.js';
import { AlertingNodeSync } from './alerting-node-sync.js';
import { BackendController } from './backend.controller.js';

/**
 * The alerting capability at the gateway: capability.Backend (gRPC) and its
 * admin HTTP API, the persisted uninstall tasks (TASK_STORE, bound here:
 * SQLite in the data directory's tasks.db), and the node configuration
 * agents sync over their sessions.
 */
@Module({
  imports: [ClustersModule, SessionsModule, NotificationsModule],
  controllers: [BackendController, AlertingAdminController],
  providers: [
    AlertingBackend,
    AlertingDriver,
    AlertingNodeSync,
    {
      provide: TASK_STORE,
      inject: [GatewaySettings],
      useFactory: (settings: GatewaySettings): TaskStore => new SqliteTaskStore(join(settings.dataDir, 'tasks.db')),
    },
    { provide: CLOCK, useValue: systemClock },
  ],
})
export class AlertingCapabilityModule implements OnApplicationShutdown {
  constructor(@Inject(TASK_STORE) private readonly tasks: TaskStore) {}

  /** Last: after the uninstall tasks stopped (AlertingBackend.onModuleDestroy). */
  async onApplicationShutdown(): Promise<void> {
    await this.tasks.close();
  }
}

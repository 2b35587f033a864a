import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { TASK_STORE, type TaskStore } from '@app/capability';
import { CLUSTER_STORE, type ClusterStore } from '../clusters/cluster-store.js';
import { BOOTSTRAP_TOKEN_STORE, type BootstrapTokenStore } from '../enrolment/tokens/bootstrap-token-store.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../notifications/store/notification-store.js';
import { RECEIVER_PROGRESS_STORE, type ReceiverProgressStore } from '../receivers/delivery/receiver-progress-store.js';
import { SQLITE_STORE_PROVIDERS } from './sqlite/sqlite-store-providers.js';

/** The store ports this module binds; every other module only injects them. */
const STORE_PORTS = [NOTIFICATION_STORE, CLUSTER_STORE, BOOTSTRAP_TOKEN_STORE, RECEIVER_PROGRESS_STORE, TASK_STORE];

/**
 * The gateway's storage, in one place: binds every store port (notifications,
 * clusters, bootstrap tokens, receiver and Alertmanager delivery progress,
 * capability tasks) to its adapter, for the whole app (global), and closes
 * them last. Needs GatewaySettings from the composition root.
 *
 * Only SQLite is bound. The GATEWAY_STORAGE setting (issue 26) will choose the
 * adapter family here, in forRoot: SQLITE_STORE_PROVIDERS or a PostgreSQL
 * family beside it (adapters in ./postgres/, not wired yet). The notification
 * bus stays in NotificationsModule: it is in-process whatever the storage.
 */
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(
    @Inject(NOTIFICATION_STORE) private readonly notifications: NotificationStore,
    @Inject(CLUSTER_STORE) private readonly clusters: ClusterStore,
    @Inject(BOOTSTRAP_TOKEN_STORE) private readonly tokens: BootstrapTokenStore,
    @Inject(RECEIVER_PROGRESS_STORE) private readonly receiverProgress: ReceiverProgressStore,
    @Inject(TASK_STORE) private readonly tasks: TaskStore,
  ) {}

  static forRoot(): DynamicModule {
    return { module: StorageModule, global: true, providers: SQLITE_STORE_PROVIDERS, exports: STORE_PORTS };
  }

  /**
   * Last: after the servers stopped taking calls and every module's
   * onModuleDestroy ran (receiver deliveries, uninstall tasks, retention).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.receiverProgress.close();
    await this.tasks.close();
    await this.tokens.close();
    await this.clusters.close();
    await this.notifications.close();
  }
}

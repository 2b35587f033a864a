import { Inject, Module, Optional, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type postgres from 'postgres';
import { TASK_STORE, type TaskStore } from '@app/capability';
import { CLUSTER_STORE, STORES_SHARED, type ClusterStore } from '../clusters/cluster-store.js';
import { BOOTSTRAP_TOKEN_STORE, type BootstrapTokenStore } from '../enrolment/tokens/bootstrap-token-store.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../notifications/store/notification-store.js';
import { RECEIVER_PROGRESS_STORE, type ReceiverProgressStore } from '../receivers/delivery/receiver-progress-store.js';
import { DELIVERY_LEASES } from '../receivers/delivery/delivery-leases.js';
import type { StorageKind } from '../config/storage-settings.js';
import { STORED_NOTIFICATIONS } from '../notifications/live-feed/stored-notifications.js';
import { SESSION_DIRECTORY } from '../sessions/session-directory.js';
import { POSTGRES_SQL } from './postgres/postgres-connection.js';
import { POSTGRES_STORE_PROVIDERS } from './postgres/postgres-store-providers.js';
import { SQLITE_STORE_PROVIDERS } from './sqlite/sqlite-store-providers.js';

/** The store ports this module binds; every other module only injects them. */
const STORE_PORTS = [
  NOTIFICATION_STORE,
  CLUSTER_STORE,
  BOOTSTRAP_TOKEN_STORE,
  RECEIVER_PROGRESS_STORE,
  TASK_STORE,
  STORED_NOTIFICATIONS,
  DELIVERY_LEASES,
  SESSION_DIRECTORY,
];

/** The adapters of each GATEWAY_STORAGE. */
const FAMILIES = { sqlite: SQLITE_STORE_PROVIDERS, postgres: POSTGRES_STORE_PROVIDERS } as const;

/**
 * The gateway's storage, in one place: binds every store port (notifications,
 * clusters, bootstrap tokens, receiver and Alertmanager delivery progress,
 * capability tasks) and the source of newly stored notifications the bus
 * hears to the adapters of GATEWAY_STORAGE, for the whole app (global), and
 * closes them last. `sqlite`: a file per store in the data directory (./sqlite/);
 * `postgres`: one pool on the database every replica shares, its schema
 * migrated at start (./postgres/). Needs GatewaySettings from the composition root.
 */
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(
    @Inject(NOTIFICATION_STORE) private readonly notifications: NotificationStore,
    @Inject(CLUSTER_STORE) private readonly clusters: ClusterStore,
    @Inject(BOOTSTRAP_TOKEN_STORE) private readonly tokens: BootstrapTokenStore,
    @Inject(RECEIVER_PROGRESS_STORE) private readonly receiverProgress: ReceiverProgressStore,
    @Inject(TASK_STORE) private readonly tasks: TaskStore,
    @Optional() @Inject(POSTGRES_SQL) private readonly postgres?: postgres.Sql,
  ) {}

  static forRoot(storage: StorageKind): DynamicModule {
    const exports = storage === 'postgres' ? [...STORE_PORTS, POSTGRES_SQL] : STORE_PORTS;
    // PostgreSQL is shared by replicas: nothing read from it may be cached as if this gateway alone wrote it.
    const shared = { provide: STORES_SHARED, useValue: storage === 'postgres' };
    return {
      module: StorageModule,
      global: true,
      providers: [...FAMILIES[storage], shared],
      exports: [...exports, STORES_SHARED],
    };
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
    await this.postgres?.end({ timeout: 5 });
  }
}

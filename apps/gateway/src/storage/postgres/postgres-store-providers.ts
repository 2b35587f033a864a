import { Logger, type Provider } from '@nestjs/common';
import type postgres from 'postgres';
import { TASK_STORE, type TaskStore } from '@app/capability';
import { CLUSTER_STORE, type ClusterStore } from '../../clusters/cluster-store.js';
import { GatewaySettings } from '../../config/gateway-settings.js';
import { BOOTSTRAP_TOKEN_STORE, type BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import { STORED_NOTIFICATIONS, type StoredNotifications } from '../../notifications/live-feed/stored-notifications.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../../notifications/store/notification-store.js';
import {
  RECEIVER_PROGRESS_STORE,
  type ReceiverProgressStore,
} from '../../receivers/delivery/receiver-progress-store.js';
import { DELIVERY_LEASES, type DeliveryLeases } from '../../receivers/delivery/delivery-leases.js';
import { newReplicaInstance, REPLICA_INSTANCE } from '../../sessions/replica-instance.js';
import { SESSION_DIRECTORY, type SessionDirectory } from '../../sessions/session-directory.js';
import { connectPostgres, POSTGRES_SQL } from './postgres-connection.js';
import { PostgresDeliveryLeases } from './postgres-delivery-leases.js';
import { PostgresBootstrapTokenStore } from './postgres-bootstrap-token-store.js';
import { PostgresClusterStore } from './postgres-cluster-store.js';
import { PostgresNotificationStore } from './postgres-notification-store.js';
import { PostgresReceiverProgressStore } from './postgres-receiver-progress-store.js';
import { PostgresSessionDirectory } from './postgres-session-directory.js';
import { PostgresStoredNotifications } from './postgres-stored-notifications.js';
import { PostgresTaskStore } from './postgres-task-store.js';

/** Binds `port` to the adapter `open` makes on the shared pool. */
function onPool<Store>(port: symbol, open: (sql: postgres.Sql) => Store): Provider {
  return { provide: port, inject: [POSTGRES_SQL], useFactory: open };
}

/** Every gateway store port bound to its PostgreSQL adapter, all on one pool, the schema migrated first. */
export const POSTGRES_STORE_PROVIDERS: Provider[] = [
  { provide: POSTGRES_SQL, inject: [GatewaySettings], useFactory: connectPostgres },
  onPool(NOTIFICATION_STORE, (sql): NotificationStore => new PostgresNotificationStore(sql)),
  onPool(CLUSTER_STORE, (sql): ClusterStore => new PostgresClusterStore(sql)),
  onPool(BOOTSTRAP_TOKEN_STORE, (sql): BootstrapTokenStore => new PostgresBootstrapTokenStore(sql)),
  onPool(RECEIVER_PROGRESS_STORE, (sql): ReceiverProgressStore => new PostgresReceiverProgressStore(sql)),
  onPool(TASK_STORE, (sql): TaskStore => new PostgresTaskStore(sql, { logger: new Logger('PostgresTaskStore') })),
  {
    provide: STORED_NOTIFICATIONS,
    inject: [POSTGRES_SQL, NOTIFICATION_STORE],
    useFactory: (sql: postgres.Sql, store: NotificationStore): StoredNotifications =>
      new PostgresStoredNotifications(sql, store),
  },
  {
    provide: DELIVERY_LEASES,
    inject: [POSTGRES_SQL, GatewaySettings],
    useFactory: (sql: postgres.Sql, settings: GatewaySettings): DeliveryLeases =>
      new PostgresDeliveryLeases(sql, settings.deliveryLeaseSeconds * 1000),
  },
  { provide: REPLICA_INSTANCE, useFactory: newReplicaInstance },
  {
    provide: SESSION_DIRECTORY,
    inject: [POSTGRES_SQL, REPLICA_INSTANCE],
    useFactory: async (sql: postgres.Sql, instance: string): Promise<SessionDirectory> => {
      const directory = new PostgresSessionDirectory(sql, instance);
      await directory.start();
      return directory; // stops (removing this replica's rows) on application shutdown, before the pool ends
    },
  },
];

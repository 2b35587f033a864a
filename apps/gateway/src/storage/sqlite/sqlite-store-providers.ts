import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { SqliteTaskStore, TASK_STORE, type TaskStore } from '@app/capability';
import { CLUSTER_STORE, type ClusterStore } from '../../clusters/cluster-store.js';
import { SqliteClusterStore } from './sqlite-cluster-store.js';
import { GatewaySettings } from '../../config/gateway-settings.js';
import { BOOTSTRAP_TOKEN_STORE, type BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import { SqliteBootstrapTokenStore } from './sqlite-bootstrap-token-store.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../../notifications/store/notification-store.js';
import { SqliteNotificationStore } from './sqlite-notification-store.js';
import {
  RECEIVER_PROGRESS_STORE,
  type ReceiverProgressStore,
} from '../../receivers/delivery/receiver-progress-store.js';
import { SqliteReceiverProgressStore } from './sqlite-receiver-progress-store.js';

/** The notification store by the GATEWAY_NOTIFICATION_STORE setting (only `sqlite` so far). */
function createNotificationStore(settings: GatewaySettings): NotificationStore {
  switch (settings.notificationStore) {
    case 'sqlite':
      // Group commits run on a writer thread (see SqliteNotificationStore).
      return new SqliteNotificationStore(join(settings.dataDir, 'notifications.db'), { commitOn: 'worker' });
  }
}

/** Every gateway store port bound to its SQLite adapter: one file per store in the data directory. */
export const SQLITE_STORE_PROVIDERS: Provider[] = [
  { provide: NOTIFICATION_STORE, inject: [GatewaySettings], useFactory: createNotificationStore },
  {
    provide: CLUSTER_STORE,
    inject: [GatewaySettings],
    useFactory: (settings: GatewaySettings): ClusterStore =>
      new SqliteClusterStore(join(settings.dataDir, 'clusters.db')),
  },
  {
    provide: BOOTSTRAP_TOKEN_STORE,
    inject: [GatewaySettings],
    useFactory: (settings: GatewaySettings): BootstrapTokenStore =>
      new SqliteBootstrapTokenStore(join(settings.dataDir, 'tokens.db')),
  },
  {
    provide: RECEIVER_PROGRESS_STORE,
    inject: [GatewaySettings],
    useFactory: (settings: GatewaySettings): ReceiverProgressStore =>
      new SqliteReceiverProgressStore(join(settings.dataDir, 'receivers.db')),
  },
  {
    provide: TASK_STORE,
    inject: [GatewaySettings],
    useFactory: (settings: GatewaySettings): TaskStore => new SqliteTaskStore(join(settings.dataDir, 'tasks.db')),
  },
];

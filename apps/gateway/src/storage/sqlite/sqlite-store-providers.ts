import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { SqliteTaskStore, TASK_STORE, type TaskStore } from '@app/capability';
import { CLUSTER_STORE, type ClusterStore } from '../../clusters/cluster-store.js';
import { GatewaySettings } from '../../config/gateway-settings.js';
import { BOOTSTRAP_TOKEN_STORE, type BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import {
  InProcessStoredNotifications,
  STORED_NOTIFICATIONS,
  type StoredNotifications,
} from '../../notifications/live-feed/stored-notifications.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../../notifications/store/notification-store.js';
import {
  DELIVERY_LEASES,
  InProcessDeliveryLeases,
  type DeliveryLeases,
} from '../../receivers/delivery/delivery-leases.js';
import {
  RECEIVER_PROGRESS_STORE,
  type ReceiverProgressStore,
} from '../../receivers/delivery/receiver-progress-store.js';
import { InProcessSessionDirectory, SESSION_DIRECTORY } from '../../sessions/session-directory.js';
import { SqliteBootstrapTokenStore } from './sqlite-bootstrap-token-store.js';
import { SqliteClusterStore } from './sqlite-cluster-store.js';
import { SqliteNotificationStore } from './sqlite-notification-store.js';
import { SqliteReceiverProgressStore } from './sqlite-receiver-progress-store.js';

/** Binds `port` to the adapter `open` makes on `file` in the data directory. */
function inDataDir<Store>(port: symbol, file: string, open: (path: string) => Store): Provider {
  return {
    provide: port,
    inject: [GatewaySettings],
    useFactory: (settings: GatewaySettings): Store => open(join(settings.dataDir, file)),
  };
}

/** Every gateway store port bound to its SQLite adapter: one file per store in the data directory. */
export const SQLITE_STORE_PROVIDERS: Provider[] = [
  inDataDir(
    NOTIFICATION_STORE,
    'notifications.db',
    // Group commits run on a writer thread (see SqliteNotificationStore).
    (path): NotificationStore => new SqliteNotificationStore(path, { commitOn: 'worker' }),
  ),
  inDataDir(CLUSTER_STORE, 'clusters.db', (path): ClusterStore => new SqliteClusterStore(path)),
  inDataDir(BOOTSTRAP_TOKEN_STORE, 'tokens.db', (path): BootstrapTokenStore => new SqliteBootstrapTokenStore(path)),
  inDataDir(
    RECEIVER_PROGRESS_STORE,
    'receivers.db',
    (path): ReceiverProgressStore => new SqliteReceiverProgressStore(path),
  ),
  inDataDir(TASK_STORE, 'tasks.db', (path): TaskStore => new SqliteTaskStore(path)),
  // One gateway: what it stores is every new notification there is.
  { provide: STORED_NOTIFICATIONS, useFactory: (): StoredNotifications => new InProcessStoredNotifications() },
  { provide: DELIVERY_LEASES, useFactory: (): DeliveryLeases => new InProcessDeliveryLeases() },
  // One gateway: it holds every agent session itself.
  { provide: SESSION_DIRECTORY, useFactory: () => new InProcessSessionDirectory() },
];

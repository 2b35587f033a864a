import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import type {
  IncomingNotification,
  NotificationQuery,
  NotificationStore,
} from '../../notifications/store/notification-store.js';

/** A store under test and what the contract needs to reach behind it. */
export interface NotificationStoreUnderTest {
  /** The store; reopen() replaces it. */
  store: NotificationStore;
  /** Closes the store and opens another on the same data, as a restarted gateway would. */
  reopen(): Promise<void>;
  /** Deletes rows behind the store's back (to leave holes in the seqs). */
  deleteIds(ids: string[]): Promise<void>;
  /** Rows in storage, counted behind the store's back. */
  rowCount(): Promise<number>;
  /** Closes the store and frees whatever was opened for it. */
  dispose(): Promise<void>;
}

/** Opens an empty store, for one test. */
export type OpenNotificationStore = () => Promise<NotificationStoreUnderTest>;

export const { OpniSeverity, GoldenSignal } = alerting;
export const T0 = Date.UTC(2030, 0, 1);

export function incoming(id: string, overrides: Partial<IncomingNotification> = {}): IncomingNotification {
  const clusterId = overrides.clusterId ?? 'cluster-a';
  return {
    clusterId,
    id,
    notification: {
      title: `title ${id}`,
      body: `body of ${id}`,
      properties: { opni_uuid: id, opni_clusterId: clusterId, opni_severity: 'Warning', team: 'ünïcødé ✓' },
    },
    severity: OpniSeverity.Warning,
    goldenSignal: GoldenSignal.Custom,
    receivedAt: new Date(T0),
    ...overrides,
  };
}

/** Stores them together (one group commit where the store batches); returns the seqs. */
export async function storeAll(store: NotificationStore, notifications: IncomingNotification[]): Promise<bigint[]> {
  const results = await Promise.all(notifications.map((notification) => store.store(notification)));
  return results.map((result) => result.stored.seq);
}

export async function listedIds(store: NotificationStore, query: NotificationQuery): Promise<string[]> {
  return (await store.list(query)).notifications.map((n) => n.id);
}

/** The field of the InvalidArgumentError `promise` rejects with (fails the test otherwise). */
export async function invalidField(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error('expected a rejection with InvalidArgumentError'),
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(InvalidArgumentError);
  return (error as InvalidArgumentError).field;
}

/** Opens a store before each test of the enclosing describe and disposes of it after; call the result in a test. */
export function storeUnderTest(open: OpenNotificationStore): () => NotificationStoreUnderTest {
  let subject: NotificationStoreUnderTest | undefined;
  beforeEach(async () => (subject = await open()));
  afterEach(async () => {
    await subject?.dispose();
    subject = undefined;
  });
  return () => subject!;
}

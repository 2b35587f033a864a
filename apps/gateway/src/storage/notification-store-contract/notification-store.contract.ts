import { describeListingContract } from './notification-listing.contract.js';
import { describeSearchContract } from './notification-search.contract.js';
import type { OpenNotificationStore } from './notification-store-harness.js';
import { describeWritesContract } from './notification-writes.contract.js';

export type { NotificationStoreUnderTest, OpenNotificationStore } from './notification-store-harness.js';

/**
 * What every NotificationStore adapter does, as one suite each adapter's spec
 * runs with its own `open` (SQLite: a temporary file; PostgreSQL: a database
 * of a throwaway cluster). What only one adapter has (SQLite's writer thread
 * and schema version, PostgreSQL's concurrent writers) stays in its own spec.
 */
export function describeNotificationStoreContract(adapter: string, open: OpenNotificationStore): void {
  describeWritesContract(adapter, open);
  describeListingContract(adapter, open);
  describeSearchContract(adapter, open);
}

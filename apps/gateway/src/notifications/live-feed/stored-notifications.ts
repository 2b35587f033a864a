import type { alerting } from '@app/proto';

/**
 * Injection token of where the bus learns of newly stored notifications:
 * bound by StorageModule for the storage in use.
 */
export const STORED_NOTIFICATIONS = Symbol('StoredNotifications');

/**
 * Every notification newly stored by any gateway sharing the storage, handed
 * over once each, in seq order. With one gateway (SQLite) that is what this
 * process stored; with replicas (PostgreSQL) it also is what the others did.
 */
export interface StoredNotifications {
  /** Starts handing newly stored notifications to `deliver`, from those stored after this call. */
  start(deliver: (stored: alerting.StoredNotification) => void): Promise<void>;
  /** This process stored `stored` (it was new). */
  storedHere(stored: alerting.StoredNotification): void;
  stop(): Promise<void>;
}

/** One gateway: what it stores is all there is, handed over as it is stored. */
export class InProcessStoredNotifications implements StoredNotifications {
  private deliver: ((stored: alerting.StoredNotification) => void) | undefined;

  async start(deliver: (stored: alerting.StoredNotification) => void): Promise<void> {
    this.deliver = deliver;
  }

  storedHere(stored: alerting.StoredNotification): void {
    this.deliver?.(stored);
  }

  async stop(): Promise<void> {
    this.deliver = undefined;
  }
}

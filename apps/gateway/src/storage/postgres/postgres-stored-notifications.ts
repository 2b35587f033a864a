import { Logger } from '@nestjs/common';
import type postgres from 'postgres';
import type { alerting } from '@app/proto';
import type { NotificationStore } from '../../notifications/store/notification-store.js';
import type { StoredNotifications } from '../../notifications/live-feed/stored-notifications.js';

/** The channel storeBatch notifies, in the storing transaction, with the batch's last seq. */
export const NOTIFICATIONS_STORED_CHANNEL = 'notifications_stored';

/** Rows read per catch-up query. */
const READ_CHUNK = 1_000;

export interface PostgresStoredNotificationsOptions {
  /**
   * How often the table is read even without a notification: a safety net for
   * one lost while the listening connection was being re-established.
   */
  pollMs?: number;
}

/**
 * Newly stored notifications of every replica, in seq order: this replica
 * tails the notifications table from the seq it started at. Every storing
 * transaction notifies NOTIFICATIONS_STORED_CHANNEL, delivered when it
 * commits; each notification (and this replica's own stores, and a periodic
 * poll) starts a catch-up that reads what follows the last seq handed over.
 * Seqs become visible in order (storeBatch), so a row below one already read
 * never appears later: reading `seq > last` misses nothing and repeats nothing.
 */
export class PostgresStoredNotifications implements StoredNotifications {
  private readonly logger = new Logger(PostgresStoredNotifications.name);
  private lastSeq = 0n;
  private deliver: ((stored: alerting.StoredNotification) => void) | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private poll: NodeJS.Timeout | undefined;
  private listening: postgres.ListenMeta | undefined;
  private stopped = false;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly store: NotificationStore,
    private readonly options: PostgresStoredNotificationsOptions = {},
  ) {}

  async start(deliver: (stored: alerting.StoredNotification) => void): Promise<void> {
    const [feed] = await this.sql<{ last_seq: string }[]>`SELECT last_seq FROM notification_feed`;
    this.lastSeq = BigInt(feed.last_seq);
    this.deliver = deliver;
    // onlisten runs again after each reconnection of the listening connection: catch up on what it missed.
    this.listening = await this.sql.listen(
      NOTIFICATIONS_STORED_CHANNEL,
      () => this.catchUp(),
      () => this.catchUp(),
    );
    this.poll = setInterval(() => this.catchUp(), this.options.pollMs ?? 1_000);
    this.poll.unref();
  }

  storedHere(): void {
    this.catchUp();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    await this.listening?.unlisten().catch(() => undefined);
    await this.reading;
  }

  /** Reads and hands over what follows lastSeq; a call while reading makes it read once more after. */
  private catchUp(): void {
    if (this.stopped || !this.deliver) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll()
      .catch((error: unknown) =>
        // The poll tries again; what was not read stays after lastSeq.
        this.logger.warn({ event: 'stored-notifications-read-failed', err: error }, 'could not read new notifications'),
      )
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.catchUp();
        }
      });
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const rows = await this.store.readAfter(this.lastSeq, READ_CHUNK);
      for (const stored of rows) {
        if (this.stopped) return;
        this.lastSeq = stored.seq;
        this.deliver?.(stored);
      }
      if (rows.length < READ_CHUNK) return;
    }
  }
}

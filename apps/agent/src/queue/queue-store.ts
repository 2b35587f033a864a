import type { alerting } from '@app/proto';
/**
 * The agent queue's storage port. The queue keeps its index in memory and the
 * payloads here; an adapter (SQLite today) is bound in QueueModule.
 */
export const QUEUE_STORE = Symbol('QueueStore');

/** What the in-memory index keeps of a stored notification. */
export interface QueueRecord {
  id: string;
  /** Insertion sequence: FIFO order within a priority, unique. */
  seq: number;
  /** Severity enum value (Info 0 … Critical 3). */
  severity: number;
  /** Payload size in bytes. */
  bytes: number;
  dedupeKey: string | undefined;
  /** Milliseconds since the epoch when first queued. */
  createdAt: number;
  /** Push attempts so far. */
  attempts: number;
  /** How many notifications coalesced into this one (1 when none). */
  occurrences: number;
}

/**
 * One change; a batch of them commits atomically. Stored entries are named by
 * seq, not id: the index already knows every entry's seq, and a store keyed by
 * seq alone needs no second index on id (one B-tree write per insert, not two).
 * Ids are unique because the index refuses duplicates.
 */
export type QueueWrite =
  | { op: 'insert'; record: QueueRecord; payload: Uint8Array }
  | { op: 'replace'; seq: number; severity: number; occurrences: number; payload: Uint8Array }
  | { op: 'delete'; seq: number }
  /** Another client id that names the same entry (a coalesced Notify), for idempotent retries. */
  | { op: 'alias'; alias: string; seq: number }
  | { op: 'attempts'; seq: number; attempts: number }
  /**
   * A value kept beside the queue (an event source's cursor), written in the
   * same transaction as its notifications; null forgets the key.
   */
  | { op: 'state'; key: string; value: string | null }
  /** An id the gateway resolved, remembered (bounded) so that a source seeing the same event again does not resend it. */
  | { op: 'resolved'; id: string }
  /** Forgets all but the newest `keep` remembered resolved ids. */
  | { op: 'trimResolved'; keep: number };

export interface RecoveryReport {
  /** Rows that could not be read: moved to quarantine, not loaded. */
  quarantined: number;
  /** Set when the whole file was unreadable and was moved aside to this path. */
  movedAside?: string;
}

/** A notification the gateway refused as invalid: kept aside, never pushed again. */
export interface DeadLetter {
  id: string;
  severity: number;
  reason: string;
  attempts: number;
  createdAt: number;
  deadLetteredAt: number;
  /** The notification as it was queued (undefined if its payload cannot be read). */
  notification?: alerting.Notification;
}

export interface QueueStore {
  /**
   * Opens the store and calls `visit` for every readable record in seq order
   * (aliases after records). Unreadable rows are quarantined, not thrown; so is
   * a record `visit` refuses by returning a reason (a duplicate id, say). The
   * record object passed to `visit` is reused for the next row: copy what you
   * keep. When `movedAside` is set the store starts empty, and whatever was
   * visited before the damage showed is void: the caller drops it.
   * `expect`, before the first visit: an upper bound on the records to come,
   * so the caller can size its index once.
   */
  recover(
    visit: (record: Readonly<QueueRecord>) => string | undefined,
    visitAlias: (alias: string, id: string) => void,
    expect?: (records: number) => void,
  ): Promise<RecoveryReport>;
  /**
   * Writes the batch in one transaction, all or nothing, in call order (a batch
   * handed over later is written after this one); resolves once it is durable
   * per the configured mode. Callers may hand over the next batch before this
   * one resolves.
   */
  commit(writes: readonly QueueWrite[]): Promise<void>;
  /** The stored payloads of these seqs (absent when missing). */
  payloads(seqs: readonly number[]): Promise<Map<number, Uint8Array>>;
  /** Moves a record that turned out unreadable out of the queue, keeping it for inspection. */
  quarantine(seq: number, reason: string): Promise<void>;
  /** Moves a record the gateway refused out of the queue into the dead-letter table, payload and reason kept. */
  deadLetter(seq: number, reason: string): Promise<void>;
  /** The dead letters kept, newest first, and how many there are in all. */
  deadLetters(limit: number): Promise<{ total: number; items: DeadLetter[] }>;
  /** A value written by a `state` write (undefined when never written). */
  readState(key: string): Promise<string | undefined>;
  /** Every value written by `state` writes under keys starting with `prefix`, by key. */
  readStatesUnder(prefix: string): Promise<Map<string, string>>;
  /** The remembered resolved ids (see the `resolved` write), oldest first. */
  resolvedIds(): Promise<string[]>;
  /** Syncs to stable storage made so far (fdatasyncs, each shared by the commits made meanwhile); 0 when durability does not sync. */
  syncs(): number;
  /** Closes the store once the commits it has been handed are done. */
  close(): Promise<void>;
}

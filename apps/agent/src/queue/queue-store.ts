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

/** One change; a batch of them commits atomically. */
export type QueueWrite =
  | { op: 'insert'; record: QueueRecord; payload: Uint8Array }
  | { op: 'replace'; id: string; severity: number; occurrences: number; payload: Uint8Array }
  | { op: 'delete'; id: string }
  /** Another client id that names the same entry (a coalesced Notify), for idempotent retries. */
  | { op: 'alias'; alias: string; id: string }
  | { op: 'attempts'; id: string; attempts: number };

export interface RecoveryReport {
  /** Rows that could not be read: moved to quarantine, not loaded. */
  quarantined: number;
  /** Set when the whole file was unreadable and was moved aside to this path. */
  movedAside?: string;
}

export interface QueueStore {
  /**
   * Opens the store and calls `visit` for every readable record in seq order
   * (aliases after records). Unreadable rows are quarantined, not thrown.
   * When `movedAside` is set the store starts empty, and whatever was visited
   * before the damage showed is void: the caller drops it.
   */
  recover(visit: (record: QueueRecord) => void, visitAlias: (alias: string, id: string) => void): RecoveryReport;
  /** Applies the writes in one transaction; resolves once durable per the configured mode. */
  commit(writes: readonly QueueWrite[]): Promise<void>;
  /** The stored payloads of these ids (absent when missing). */
  payloads(ids: readonly string[]): Promise<Map<string, Uint8Array>>;
  /** Moves a record that turned out unreadable out of the queue, keeping it for inspection. */
  quarantine(id: string, reason: string): Promise<void>;
  close(): void;
}

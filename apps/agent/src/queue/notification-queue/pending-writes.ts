import type { QueueRecord, QueueWrite } from '../queue-store.js';
import type { Batch } from './group-commit.js';

/** A notification inserted by a batch that has not committed yet. */
export interface PendingInsert {
  id: string;
  record: QueueRecord;
  write: Extract<QueueWrite, { op: 'insert' }>;
  batch: Batch;
  /** Evicted by a more important newcomer of the same batch: deleted in the same transaction. */
  evicted?: boolean;
}

/** A merge into a committed entry, written by a batch that has not committed yet. */
export interface PendingReplace {
  batch: Batch;
  severity: number;
  occurrences: number;
  bytes: number;
  write: Extract<QueueWrite, { op: 'replace' }>;
}

/**
 * What batches that have not committed yet are writing: admission,
 * coalescing and eviction consult it (an id being written is waited for, a
 * pending insert can be merged into or evicted in its own transaction), and
 * its count and bytes hold the bounds together with the committed totals.
 */
export class PendingWrites {
  /** Ids (and aliases) being written → the batch writing them. */
  readonly ids = new Map<string, Batch>();
  readonly inserts = new Map<string, PendingInsert>();
  readonly insertsByDedupeKey = new Map<string, PendingInsert>();
  /** Committed entry id → the merge into it being written. */
  readonly replaces = new Map<string, PendingReplace>();
  /** Entries the pending inserts add. */
  count = 0;
  /** Bytes the pending inserts and merges add. */
  bytes = 0;
}

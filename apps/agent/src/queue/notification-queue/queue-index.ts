import { SEVERITY_NAMES } from '@app/notification-model';
import { PriorityQueue, type PriorityQueueEntry } from '@app/skiplist';
import { EntryTable } from '../entry-table.js';
import type { QueueRecord } from '../queue-store.js';

/** An index entry: the priority queue holds id, severity and seq, and a slot of the entry table for the rest. */
export type IndexEntry = PriorityQueueEntry<number>;

/**
 * What the queue holds in memory once committed (the payloads stay in the
 * store): the queued entries most important first, the entries in flight,
 * the entry table behind both, the dedupe-key and alias maps, and their
 * totals. The queue's parts share this one index and change it only for
 * writes that have committed (or to undo what a failed commit did).
 */
export class QueueIndex {
  /** Queued, not in flight: id → slot in `table`, most important first. */
  readonly queued = new PriorityQueue<number>();
  readonly table = new EntryTable();
  /** In flight: id → slot in `table`. */
  readonly inFlight = new Map<string, number>();
  /** Dedupe key → the queued entry a notification with that key merges into. */
  readonly byDedupeKey = new Map<string, string>();
  /** Client ids that were coalesced into another entry → that entry's id. */
  readonly aliases = new Map<string, string>();
  readonly aliasesOf = new Map<string, string[]>();
  nextSeq = 0;

  // Committed totals (queued and in flight).
  count = 0;
  bytes = 0;
  readonly countBySeverity = [0, 0, 0, 0];
  /** Queued, not in flight, per severity: the index's lane sizes. */
  readonly queuedBySeverity = [0, 0, 0, 0];

  /**
   * Sizes the index for `entries` at once before a recovery, so that a large
   * queue is not rebuilt through dozens of ever larger copies of its arrays
   * (garbage that raised the agent's peak memory during a restart).
   */
  reserve(entries: number): void {
    this.queued.reserve(entries);
    this.table.reserve(entries);
  }

  /** Adds a stored record to the index; the reason when it cannot be (its id is queued already). */
  restore(record: Readonly<QueueRecord>): string | undefined {
    const slot = this.table.add(record);
    // Not a merge target: it may have been pushed just before the crash (its attempt count is written after the
    // push goes out), and the gateway keeps the first version of an id.
    if (!this.reinstate(record.id, slot, record.dedupeKey, false)) {
      this.table.release(slot);
      return `duplicate id (also queued as seq ${this.queued.getEntry(record.id)!.seq})`;
    }
    if (record.seq >= this.nextSeq) this.nextSeq = record.seq + 1;
    return undefined;
  }

  /**
   * Queues the entry in `slot` again (recovered, or put back after a failed
   * commit), counting it; false when its id is queued already.
   */
  reinstate(
    id: string,
    slot: number,
    dedupeKey = this.table.dedupeKey(slot),
    mergeable = this.table.attempts(slot) === 0,
  ): boolean {
    const table = this.table;
    const severity = table.severity(slot);
    if (!this.queued.push(id, severity, slot, table.seq(slot))) return false;
    this.tally(slot, 1);
    this.queuedBySeverity[severity]++;
    // The newest entry of a key is the one to merge into; never one that may have been pushed (see requeue()).
    if (dedupeKey !== undefined && mergeable) this.byDedupeKey.set(dedupeKey, id);
    return true;
  }

  /** Drops everything recover() visited (the file it came from was moved aside). */
  clear(): void {
    this.queued.clear();
    this.table.clear();
    this.byDedupeKey.clear();
    this.aliases.clear();
    this.aliasesOf.clear();
    this.count = 0;
    this.bytes = 0;
    this.countBySeverity.fill(0);
    this.queuedBySeverity.fill(0);
  }

  remember(alias: string, id: string): void {
    this.aliases.set(alias, id);
    const list = this.aliasesOf.get(id);
    if (list) list.push(alias);
    else this.aliasesOf.set(id, [alias]);
  }

  /** Uncounts an entry that has left the index and the in-flight set; its slot is released by the caller. */
  forget(id: string, slot: number): void {
    for (const alias of this.aliasesOf.get(id) ?? []) this.aliases.delete(alias);
    this.aliasesOf.delete(id);
    const dedupeKey = this.table.dedupeKey(slot);
    if (dedupeKey !== undefined && this.byDedupeKey.get(dedupeKey) === id) this.byDedupeKey.delete(dedupeKey);
    this.tally(slot, -1);
  }

  /** Adds (1) or removes (-1) the entry in `slot` from the committed totals. */
  tally(slot: number, sign: 1 | -1): void {
    this.count += sign;
    this.bytes += sign * this.table.bytes(slot);
    this.countBySeverity[this.table.severity(slot)] += sign;
  }

  /**
   * Queued entries in drain order (not in flight), for inspection, from 0-based position
   * `offset` on: the index finds that position in O(log n), so a page deep in a million
   * entries costs what the first page does.
   */
  *entries(offset = 0): Generator<{
    id: string;
    seq: number;
    severity: string;
    bytes: number;
    createdAt: number;
    attempts: number;
    occurrences: number;
    dedupeKey?: string;
  }> {
    for (const { id, item: slot } of this.queued.entries(offset)) {
      const { seq, severity, bytes, createdAt, attempts, occurrences, dedupeKey } = this.table.fields(slot);
      yield { id, seq, severity: SEVERITY_NAMES[severity], bytes, createdAt, attempts, occurrences, dedupeKey };
    }
  }
}

import type { QueueRecord } from './queue-store.js';

/** The fields of one queued notification that the in-memory index keeps (payloads stay in the store). */
export type EntryFields = Omit<QueueRecord, 'id'>;

const INITIAL_CAPACITY = 1024;
const UINT32_MAX = 2 ** 32 - 1;

/**
 * The index's per-entry fields as a struct of typed arrays, addressed by slot.
 * An object per entry costs ~90 B of heap and garbage-collector work; a slot
 * costs 29 B and nothing to collect, which is what lets a million queued
 * notifications recover in seconds and stay within the agent's memory budget.
 * Dedupe keys are rare, so they live in a map beside the arrays.
 *
 * Slots are reused after release(): callers release a slot only once nothing
 * refers to it any more (after the delete has committed).
 */
export class EntryTable {
  private capacity = INITIAL_CAPACITY;
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private createdAts = new Float64Array(INITIAL_CAPACITY);
  private byteCounts = new Uint32Array(INITIAL_CAPACITY);
  private attemptCounts = new Uint32Array(INITIAL_CAPACITY);
  private occurrenceCounts = new Uint32Array(INITIAL_CAPACITY);
  private severities = new Uint8Array(INITIAL_CAPACITY);
  private readonly dedupeKeys = new Map<number, string>();
  private readonly free: number[] = [];
  private used = 0;

  add(fields: EntryFields): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.grow();
    this.seqs[slot] = fields.seq;
    this.createdAts[slot] = fields.createdAt;
    this.severities[slot] = fields.severity;
    this.setBytes(slot, fields.bytes);
    this.setAttempts(slot, fields.attempts);
    this.setOccurrences(slot, fields.occurrences);
    if (fields.dedupeKey !== undefined) this.dedupeKeys.set(slot, fields.dedupeKey);
    return slot;
  }

  release(slot: number): void {
    this.dedupeKeys.delete(slot);
    this.free.push(slot);
  }

  clear(): void {
    this.dedupeKeys.clear();
    this.free.length = 0;
    this.used = 0;
  }

  /** Makes room for `slots` slots in total in one step (a queue rebuilt from storage knows how many). */
  reserve(slots: number): void {
    if (slots > this.capacity) this.resize(Math.ceil(slots));
  }

  private grow(): number {
    if (this.used === this.capacity) this.resize(this.capacity * 2);
    return this.used++;
  }

  private resize(capacity: number): void {
    this.capacity = capacity;
    const resize = <A extends Float64Array | Uint32Array | Uint8Array>(old: A, fresh: A): A => {
      fresh.set(old);
      return fresh;
    };
    this.seqs = resize(this.seqs, new Float64Array(capacity));
    this.createdAts = resize(this.createdAts, new Float64Array(capacity));
    this.byteCounts = resize(this.byteCounts, new Uint32Array(capacity));
    this.attemptCounts = resize(this.attemptCounts, new Uint32Array(capacity));
    this.occurrenceCounts = resize(this.occurrenceCounts, new Uint32Array(capacity));
    this.severities = resize(this.severities, new Uint8Array(capacity));
  }

  seq(slot: number): number {
    return this.seqs[slot];
  }

  severity(slot: number): number {
    return this.severities[slot];
  }

  setSeverity(slot: number, severity: number): void {
    this.severities[slot] = severity;
  }

  bytes(slot: number): number {
    return this.byteCounts[slot];
  }

  setBytes(slot: number, bytes: number): void {
    this.byteCounts[slot] = Math.min(bytes, UINT32_MAX);
  }

  createdAt(slot: number): number {
    return this.createdAts[slot];
  }

  attempts(slot: number): number {
    return this.attemptCounts[slot];
  }

  /** Counts saturate at 2^32 - 1 rather than wrap. */
  setAttempts(slot: number, attempts: number): void {
    this.attemptCounts[slot] = Math.min(attempts, UINT32_MAX);
  }

  occurrences(slot: number): number {
    return this.occurrenceCounts[slot];
  }

  setOccurrences(slot: number, occurrences: number): void {
    this.occurrenceCounts[slot] = Math.min(occurrences, UINT32_MAX);
  }

  dedupeKey(slot: number): string | undefined {
    return this.dedupeKeys.get(slot);
  }

  /** A copy of the slot's fields. */
  fields(slot: number): EntryFields {
    return {
      seq: this.seq(slot),
      severity: this.severity(slot),
      bytes: this.bytes(slot),
      createdAt: this.createdAt(slot),
      attempts: this.attempts(slot),
      occurrences: this.occurrences(slot),
      dedupeKey: this.dedupeKey(slot),
    };
  }
}

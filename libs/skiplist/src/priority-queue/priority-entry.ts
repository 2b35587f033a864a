// What a PriorityQueue entry is: a priority and a seq, both range-checked, packed into one
// numeric key `seq - priority * 2^40` that orders higher priorities first, then older seqs.
import type { SkipListOptions } from '../core/skip-pool.js';

/** Priorities are integers in [PRIORITY_MIN, PRIORITY_MAX]; higher is served first. */
export const PRIORITY_MIN = -4096;
export const PRIORITY_MAX = 4095;
/** Sequence numbers are integers in [0, SEQ_LIMIT); lower is older (served first). */
export const SEQ_LIMIT = 2 ** 40;

export interface PriorityQueueEntry<T> {
  id: string;
  priority: number;
  /** Insertion sequence number: FIFO order within a priority. */
  seq: number;
  item: T;
}

export type PriorityQueueOptions = SkipListOptions;

export function checkPriority(priority: number): void {
  if (
    typeof priority !== 'number' ||
    (priority | 0) !== priority ||
    priority < PRIORITY_MIN ||
    priority > PRIORITY_MAX
  ) {
    throw new RangeError(`priority must be an integer in [${PRIORITY_MIN}, ${PRIORITY_MAX}], got ${String(priority)}`);
  }
}

export function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= SEQ_LIMIT) {
    throw new RangeError(`seq must be an integer in [0, 2^40), got ${String(seq)}`);
  }
}

/** Priority encoded in a key `seq - priority * 2^40` (0 <= seq < 2^40). */
export function priorityOf(key: number): number {
  return -Math.floor(key / SEQ_LIMIT) | 0;
}

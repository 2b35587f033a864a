import { NIL } from './skip-pool.js';

/** One skip list (header + bookkeeping) inside a `SkipCore` pool. */
export class SkipLane {
  /** Header node (its level-0 link is the first node) and its full-height tower. */
  readonly head: number;
  readonly headTower: number;
  /** Levels in use, 1..maxLevel: the header links somewhere at level - 1 (if > 0). */
  level = 1;
  size = 0;
  /** Last node, NIL if empty. */
  tail = NIL;
  /** `last[L]` (L >= 1): tower base of the last tower at level L (headTower if none). */
  readonly last: Int32Array;
  /** Free for the owner's use (PriorityQueue: the lane's priority). */
  tag: number;

  constructor(head: number, headTower: number, maxLevel: number, tag: number) {
    this.head = head;
    this.headTower = headTower;
    this.last = new Int32Array(maxLevel).fill(headTower);
    this.tag = tag;
  }
}

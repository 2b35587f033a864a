import { NIL } from '../core/skip-pool.js';
import type { SkipLane } from '../core/skip-lane.js';
import { checkPriority, checkSeq, priorityOf, SEQ_LIMIT, type PriorityQueueEntry } from './priority-entry.js';
import { CHUNK_BITS, MASK, PriorityLanes } from './priority-lanes.js';

export { PRIORITY_MAX, PRIORITY_MIN, SEQ_LIMIT } from './priority-entry.js';
export type { PriorityQueueEntry, PriorityQueueOptions } from './priority-entry.js';

/**
 * Priority queue of items identified by a string id, built on the skip-list engine.
 *
 * Drain order: higher priority first; within a priority, lower `seq` first (FIFO: `seq`
 * is the insertion sequence number, from an internal counter unless given explicitly).
 * The *least* important item, for eviction from a bounded queue, is the **oldest item of
 * the lowest priority** (`peekLeast` / `popLeast`).
 *
 * Duplicate ids, first write wins: `push` of an id that is already queued changes nothing
 * and returns false. To change a queued entry use `update` (or `upsert`), which replaces
 * the item and priority but **keeps the original seq**, so the entry keeps its age: among
 * its new priority it sorts by when it was first pushed. To refresh the age instead,
 * `remove` then `push`.
 *
 * Storage and layout: see `PriorityLanes` (priority-lanes.ts).
 *
 * Complexity (n = size, P = number of distinct priorities queued, expected small):
 * `push` (fresh seq), `pop`, `popLeast`: O(log n) link updates, no search (O(1) work per
 * level in use); `push` with an older explicit seq, `remove`, `update`: expected
 * O(log n) (`remove` searches only above level 0: the backward link gives the rest);
 * `peek`, `peekLeast`, `get`, `has`, `size`: O(1); `rank`, `at`: O(P + log n);
 * a new or emptied priority: O(P) to (un)register its lane.
 *
 * Memory per element, excluding the item and id themselves: 16 B node record (level-0
 * forward and backward links, key as two int32) + ~5.7 B of tower on average (1 node in 4
 * has one: 12 B header with a key copy + 8 B per level above 0) + 16 B id and item slots
 * ≈ 38 B, plus at most
 * 12.5% typed-array growth slack, plus one `Map` entry (id -> node index; ~30-40 B in
 * V8), plus ~0.4 KB per distinct priority queued (lane header).
 */
export class PriorityQueue<T> extends PriorityLanes<T> implements Iterable<PriorityQueueEntry<T>> {
  get size(): number {
    return this.count;
  }

  /** The seq the next `push` without an explicit seq will get. */
  get nextSeq(): number {
    return this.seqNext;
  }

  /**
   * Queues item under id. If id is already queued, nothing changes and false is returned
   * (first write wins; see `update` / `upsert`).
   *
   * `seq` (optional) sets the insertion sequence number explicitly, e.g. when rebuilding
   * from persistent storage in stored order; automatic seqs continue after the highest
   * seq seen. Throws RangeError if priority or seq is out of range, or if another queued
   * entry already has the same (priority, seq).
   */
  push(id: string, priority: number, item: T, seq?: number): boolean {
    checkPriority(priority);
    let s: number;
    if (seq === undefined) {
      s = this.seqNext;
      if (s >= SEQ_LIMIT) throw new RangeError('seq counter exhausted (2^40)');
    } else {
      checkSeq(seq);
      s = seq;
    }
    if (this.index.has(id)) return false;
    const key = s - priority * SEQ_LIMIT;
    const c = this.core;
    let lane = this.lanes.get(priority);
    if (lane === undefined || lane.size === 0) {
      lane = this.openLane(priority);
      c.seekEnd(lane);
    } else if (key > c.key(lane.tail)) {
      c.seekEnd(lane); // newest in its lane: append, no search
    } else {
      const found = c.seekNumber(lane, key);
      if (found !== NIL && c.key(found) === key) {
        throw new RangeError(`(priority ${priority}, seq ${s}) is already used by id ${this.idAt(found)}`);
      }
    }
    if (s >= this.seqNext) this.seqNext = s + 1;
    const h = c.randomLevel();
    const x = c.alloc(h);
    const tower = c.tower;
    this.slot(x);
    c.setKey(x, tower, key);
    const chunk = this.chunks[x >> CHUNK_BITS];
    chunk[2 * (x & MASK)] = id;
    chunk[2 * (x & MASK) + 1] = item;
    c.link(lane, x, tower, h);
    this.index.set(id, x);
    this.count++;
    return true;
  }

  /**
   * Replaces the priority and item of a queued id, keeping its original seq (its age).
   * Returns false (and changes nothing) if id is not queued. O(1) if the priority is
   * unchanged, else expected O(log n).
   */
  update(id: string, priority: number, item: T): boolean {
    checkPriority(priority);
    const x = this.index.get(id);
    if (x === undefined) return false;
    const c = this.core;
    const oldKey = c.key(x);
    const old = priorityOf(oldKey);
    if (priority !== old) {
      const seq = oldKey + old * SEQ_LIMIT;
      const newKey = seq - priority * SEQ_LIMIT;
      let target = this.lanes.get(priority);
      if (target !== undefined && target.size > 0 && !(newKey > c.key(target.tail))) {
        const found = c.seekNumber(target, newKey);
        if (found !== NIL && c.key(found) === newKey) {
          throw new RangeError(`(priority ${priority}, seq ${seq}) is already used by id ${this.idAt(found)}`);
        }
      }
      const lane = this.lanes.get(old) as SkipLane;
      c.seekNumber(lane, oldKey);
      c.unlink(lane, x);
      const tower = c.tower;
      if (lane.size === 0) this.closeLane(lane);
      if (target === undefined || target.size === 0) target = this.openLane(priority);
      c.setKey(x, tower, newKey);
      if (target.size === 0 || newKey > c.key(target.tail)) c.seekEnd(target);
      else c.seekNumber(target, newKey);
      c.link(target, x, tower, c.towerHeight(tower));
    }
    this.chunks[x >> CHUNK_BITS][2 * (x & MASK) + 1] = item;
    return true;
  }

  /** `update` if id is queued, else `push`. Returns true if it was inserted. */
  upsert(id: string, priority: number, item: T): boolean {
    if (this.update(id, priority, item)) return false;
    return this.push(id, priority, item);
  }

  /** Most important item (highest priority, oldest), O(1). */
  peek(): T | undefined {
    const x = this.firstNode();
    return x === NIL ? undefined : this.itemAt(x);
  }

  peekEntry(): PriorityQueueEntry<T> | undefined {
    const x = this.firstNode();
    return x === NIL ? undefined : this.entryOf(x);
  }

  /** Removes and returns the most important item. */
  pop(): T | undefined {
    const order = this.order;
    if (order.length === 0) return undefined;
    const lane = order[0];
    return this.shiftLane(lane);
  }

  popEntry(): PriorityQueueEntry<T> | undefined {
    const x = this.firstNode();
    if (x === NIL) return undefined;
    const e = this.entryOf(x);
    this.pop();
    return e;
  }

  /** Least important item: lowest priority and, within it, the oldest. O(1). */
  peekLeast(): T | undefined {
    const x = this.leastNode();
    return x === NIL ? undefined : this.itemAt(x);
  }

  peekLeastEntry(): PriorityQueueEntry<T> | undefined {
    const x = this.leastNode();
    return x === NIL ? undefined : this.entryOf(x);
  }

  /** Removes and returns the least important item (see `peekLeast`). */
  popLeast(): T | undefined {
    const order = this.order;
    if (order.length === 0) return undefined;
    const lane = order[order.length - 1];
    return this.shiftLane(lane);
  }

  popLeastEntry(): PriorityQueueEntry<T> | undefined {
    const x = this.leastNode();
    if (x === NIL) return undefined;
    const e = this.entryOf(x);
    this.popLeast();
    return e;
  }

  /** Item queued under id, O(1). */
  get(id: string): T | undefined {
    const x = this.index.get(id);
    return x === undefined ? undefined : this.itemAt(x);
  }

  getEntry(id: string): PriorityQueueEntry<T> | undefined {
    const x = this.index.get(id);
    return x === undefined ? undefined : this.entryOf(x);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Removes id; returns whether it was queued. Expected O(log n). */
  remove(id: string): boolean {
    const x = this.index.get(id);
    if (x === undefined) return false;
    const lane = this.lanes.get(priorityOf(this.core.key(x))) as SkipLane;
    this.core.seekPredecessors(lane, x);
    this.core.unlink(lane, x);
    this.release(x, lane, id);
    return true;
  }

  /** 0-based position of id in drain order (0 = next to pop), or -1. O(P + log n). */
  rank(id: string): number {
    const x = this.index.get(id);
    if (x === undefined) return -1;
    const key = this.core.key(x);
    const lane = this.lanes.get(priorityOf(key)) as SkipLane;
    let before = 0;
    for (const l of this.order) {
      if (l === lane) break;
      before += l.size;
    }
    this.core.seekNumber(lane, key);
    return before + this.core.rank[0];
  }

  /** Entry at 0-based position in drain order (negative counts from the end). O(P + log n). */
  at(index: number): PriorityQueueEntry<T> | undefined {
    let i = Math.trunc(index);
    if (i < 0) i += this.count;
    if (!(i >= 0 && i < this.count)) return undefined;
    for (const lane of this.order) {
      if (i < lane.size) return this.entryOf(this.core.nodeAt(lane, i));
      i -= lane.size;
    }
    return undefined;
  }

  /**
   * Entries in drain order (without removing them), from 0-based position `from` on
   * (default 0, the next to pop). Starting deep costs O(P + log n), not O(from).
   */
  entries(from = 0): Generator<PriorityQueueEntry<T>, void, undefined> {
    return this.walk((x) => this.entryOf(x), from);
  }

  /** Items in drain order. */
  values(): Generator<T, void, undefined> {
    return this.walk((x) => this.itemAt(x));
  }

  /** Ids in drain order. */
  ids(): Generator<string, void, undefined> {
    return this.walk((x) => this.idAt(x));
  }

  [Symbol.iterator](): Generator<PriorityQueueEntry<T>, void, undefined> {
    return this.entries();
  }
}

import { SkipCore } from '../core/skip-core.js';
import type { SkipLane } from '../core/skip-lane.js';
import { NIL, type SkipListOptions } from '../core/skip-pool.js';

export type Comparator<K> = (a: K, b: K) => number;

export interface SkipListConstructorOptions<K> extends SkipListOptions {
  /**
   * Total order on keys: negative if a < b, 0 if equal, positive if a > b. Defaults to
   * `<` / `>` (fine for numbers, strings and bigints; NaN is then not a valid key).
   */
  compare?: Comparator<K>;
}

function defaultCompare<K>(a: K, b: K): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Ordered map on a skip list with Redis-style spans, so positions (`rank`, `at`) are
 * O(log n) too.
 *
 * - `set` / `get` / `has` / `delete` / `rank` / `at` / `pop`: expected O(log n); `set` of
 *   a key above the current last key appends in O(1) expected (no search).
 * - `first` / `last` / `size`: O(1). `shift` (remove the first): no key comparison, O(1)
 *   work per level in use (~log4 n levels).
 * - Iteration: O(1) per step, from the start or from a lower bound (found in O(log n)).
 *
 * Memory per element (see README): 8 B key slot + 8 B value slot (JS arrays; the keys and
 * values themselves are yours), 8 B level-0 forward and backward links, and on average
 * 3.7 B of tower (1 in 4 elements has one: 4 B + 8 B per level above 0; p = 1/4):
 * ~28 B, plus growth slack (up to 12.5% for the typed arrays, up to 50% for V8's JS
 * arrays).
 *
 * Do not modify the list while iterating it: the iterator throws on its next step.
 */
export class SkipList<K, V> implements Iterable<[K, V]> {
  private readonly core: SkipCore;
  private lane: SkipLane;
  private readonly compare: Comparator<K>;
  private ks: (K | undefined)[] = [];
  private vs: (V | undefined)[] = [];

  constructor(options: SkipListConstructorOptions<K> = {}) {
    this.core = new SkipCore(options, false);
    this.compare = options.compare ?? defaultCompare;
    this.lane = this.core.newLane(0);
    this.ks[this.lane.head] = undefined;
    this.vs[this.lane.head] = undefined;
  }

  get size(): number {
    return this.lane.size;
  }

  /**
   * Fills core.update/core.rank with the last node < key at every level in use and
   * returns the first node >= key (or NIL).
   */
  private seek(key: K): number {
    const c = this.core;
    const lane = this.lane;
    const cmp = this.compare;
    const ks = this.ks;
    const ti = c.ti;
    const update = c.update;
    const rank = c.rank;
    let b = lane.headTower;
    let r = 0;
    // `known`: a node already found to be >= key. Dropping a level usually lands on the
    // same forward node, so don't compare it again.
    let known = NIL;
    for (let L = lane.level - 1; L >= 1; L--) {
      let p = b + 2 * L - 1;
      let nb = ti[p];
      while (nb !== NIL) {
        const y = ti[nb] >>> 5;
        if (y === known || cmp(ks[y] as K, key) >= 0) {
          known = y;
          break;
        }
        r += ti[p + 1];
        b = nb;
        p = b + 2 * L - 1;
        nb = ti[p];
      }
      update[L] = b;
      rank[L] = r;
    }
    const rec = c.rec; // [next, prev] per node
    let x = ti[b] >>> 5;
    let nx = rec[2 * x];
    while (nx !== NIL && nx !== known && cmp(ks[nx] as K, key) < 0) {
      r++;
      x = nx;
      nx = rec[2 * x];
    }
    update[0] = x;
    rank[0] = r;
    return nx;
  }

  /** Node holding key, or NIL (search only). */
  private find(key: K): number {
    const x = this.seek(key);
    return x !== NIL && this.compare(this.ks[x] as K, key) === 0 ? x : NIL;
  }

  /** Inserts or replaces the value for key. */
  set(key: K, value: V): this {
    const c = this.core;
    const lane = this.lane;
    const tail = lane.tail;
    if (tail !== NIL && this.compare(key, this.ks[tail] as K) > 0) {
      c.seekEnd(lane); // appending in key order: no search
    } else {
      const found = this.seek(key);
      if (found !== NIL && this.compare(this.ks[found] as K, key) === 0) {
        this.vs[found] = value;
        return this;
      }
    }
    const h = c.randomLevel();
    const x = c.alloc(h);
    this.ks[x] = key;
    this.vs[x] = value;
    c.link(lane, x, c.tower, h);
    return this;
  }

  get(key: K): V | undefined {
    const x = this.find(key);
    return x === NIL ? undefined : this.vs[x];
  }

  has(key: K): boolean {
    return this.find(key) !== NIL;
  }

  /** Removes key; returns whether it was present. */
  delete(key: K): boolean {
    const x = this.find(key);
    if (x === NIL) return false;
    this.core.unlink(this.lane, x);
    this.release(x);
    return true;
  }

  private release(x: number): void {
    this.ks[x] = undefined;
    this.vs[x] = undefined;
    this.core.free(x, this.core.tower);
  }

  private entryOf(x: number): [K, V] | undefined {
    return x === NIL ? undefined : [this.ks[x] as K, this.vs[x] as V];
  }

  /** Smallest entry, O(1). */
  first(): [K, V] | undefined {
    return this.entryOf(this.core.next(this.lane.head));
  }

  /** Largest entry, O(1). */
  last(): [K, V] | undefined {
    return this.entryOf(this.lane.tail);
  }

  /** Removes and returns the smallest entry. */
  shift(): [K, V] | undefined {
    const x = this.core.unlinkFirst(this.lane);
    if (x === NIL) return undefined;
    const e: [K, V] = [this.ks[x] as K, this.vs[x] as V];
    this.release(x);
    return e;
  }

  /** Removes and returns the largest entry. Expected O(log n). */
  pop(): [K, V] | undefined {
    const x = this.lane.tail;
    if (x === NIL) return undefined;
    const e: [K, V] = [this.ks[x] as K, this.vs[x] as V];
    this.seek(e[0]);
    this.core.unlink(this.lane, x);
    this.release(x);
    return e;
  }

  /** 0-based position of key in order, or -1 if absent. O(log n). */
  rank(key: K): number {
    const x = this.seek(key);
    if (x === NIL || this.compare(this.ks[x] as K, key) !== 0) return -1;
    return this.core.rank[0];
  }

  /** Number of keys strictly less than key (its insertion position). O(log n). */
  countLess(key: K): number {
    this.seek(key);
    return this.core.rank[0];
  }

  /**
   * Entry at 0-based position index (negative counts from the end, as `Array#at`), or
   * undefined if out of range. O(log n).
   */
  at(index: number): [K, V] | undefined {
    const n = this.lane.size;
    let i = Math.trunc(index);
    if (i < 0) i += n;
    if (!(i >= 0 && i < n)) return undefined;
    return this.entryOf(this.core.nodeAt(this.lane, i));
  }

  /** Removes everything and releases the storage. */
  clear(): void {
    this.core.reset();
    this.lane = this.core.newLane(0);
    this.ks = [undefined];
    this.vs = [undefined];
  }

  private *walk<R>(from: number, pick: (x: number) => R): Generator<R, void, undefined> {
    const c = this.core;
    const version = c.version;
    for (let x = from; x !== NIL;) {
      const next = c.next(x);
      yield pick(x);
      if (c.version !== version) throw new Error('SkipList modified during iteration');
      x = next;
    }
  }

  private start(from: readonly [K] | []): number {
    return from.length === 0 ? this.core.next(this.lane.head) : this.seek(from[0]);
  }

  /** Entries in ascending key order; with `from`, only keys >= from. */
  entries(...from: [from: K] | []): Generator<[K, V], void, undefined> {
    return this.walk(this.start(from), (x) => [this.ks[x] as K, this.vs[x] as V]);
  }

  /** Keys in ascending order; with `from`, only keys >= from. */
  keys(...from: [from: K] | []): Generator<K, void, undefined> {
    return this.walk(this.start(from), (x) => this.ks[x] as K);
  }

  /** Values in ascending key order; with `from`, only those of keys >= from. */
  values(...from: [from: K] | []): Generator<V, void, undefined> {
    return this.walk(this.start(from), (x) => this.vs[x] as V);
  }

  [Symbol.iterator](): Generator<[K, V], void, undefined> {
    return this.entries();
  }

  /**
   * Throws if a structural invariant is broken: every level strictly ordered by the
   * comparator and nested in the one below, spans equal to rank differences, size, tail,
   * backward links, per-level last towers, free lists. O(n log n); for tests and debugging.
   */
  checkInvariants(): void {
    const ks = this.ks;
    const cmp = this.compare;
    this.core.check([this.lane], (a, b) => cmp(ks[a] as K, ks[b] as K) < 0);
  }
}

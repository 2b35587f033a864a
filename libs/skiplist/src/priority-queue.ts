import { NIL, SkipCore, type SkipLane, type SkipListOptions } from './core.js';

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

/** Nodes per chunk of the id/item storage. */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Empty lanes kept allocated for reuse (about 0.4 KB each). */
const MAX_IDLE_LANES = 16;

function checkPriority(priority: number): void {
  if (
    typeof priority !== 'number' ||
    (priority | 0) !== priority ||
    priority < PRIORITY_MIN ||
    priority > PRIORITY_MAX
  ) {
    throw new RangeError(`priority must be an integer in [${PRIORITY_MIN}, ${PRIORITY_MAX}], got ${String(priority)}`);
  }
}

function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= SEQ_LIMIT) {
    throw new RangeError(`seq must be an integer in [0, 2^40), got ${String(seq)}`);
  }
}

/** Priority encoded in a key `seq - priority * 2^40` (0 <= seq < 2^40). */
function priorityOf(key: number): number {
  return -Math.floor(key / SEQ_LIMIT) | 0;
}

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
 * Layout: one skip list ("lane") per priority present, ordered by seq, all sharing one
 * node pool; the lanes are kept in a small array sorted by priority. Each element's key
 * is one number, `seq - priority * 2^40`, compared inline (no comparator call). A push
 * with a fresh seq (the normal case) is an append to its lane: no search. The id -> node
 * index is a `Map<string, number>` whose values are small integers (no boxing).
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
export class PriorityQueue<T> implements Iterable<PriorityQueueEntry<T>> {
  private readonly core: SkipCore;
  /**
   * Ids and items, in chunks of CHUNK nodes: node x's id is at `2 * (x & MASK)` of chunk
   * `x >> CHUNK_BITS`, its item right after (one cache line for both). Chunks never move,
   * so growing costs no copying and the slack is below one chunk.
   */
  private chunks: (string | T | undefined)[][] = [];
  private index = new Map<string, number>();
  /** Lanes by priority (lane.tag): the non-empty ones plus up to MAX_IDLE_LANES empty. */
  private lanes = new Map<number, SkipLane>();
  /** The non-empty lanes, by priority descending. */
  private order: SkipLane[] = [];
  private idle = 0;
  private seqNext = 0;
  private count = 0;

  constructor(options: PriorityQueueOptions = {}) {
    this.core = new SkipCore(options, true);
  }

  get size(): number {
    return this.count;
  }

  /** The seq the next `push` without an explicit seq will get. */
  get nextSeq(): number {
    return this.seqNext;
  }

  /**
   * Lane for priority, registered in `order` (the caller is about to insert into it).
   * Emptied lanes stay allocated while there are few of them, so a priority that is
   * drained and refilled over and over does not rebuild its header each time.
   */
  private openLane(priority: number): SkipLane {
    let lane = this.lanes.get(priority);
    if (lane === undefined) {
      lane = this.core.newLane(priority);
      this.slot(lane.head);
      this.lanes.set(priority, lane);
    } else {
      this.idle--;
    }
    const order = this.order;
    order.push(lane);
    let i = order.length - 1;
    for (; i > 0 && order[i - 1].tag < priority; i--) order[i] = order[i - 1];
    order[i] = lane;
    return lane;
  }

  /** Unregisters a lane that just became empty. */
  private closeLane(lane: SkipLane): void {
    const order = this.order;
    for (let i = order.indexOf(lane); i < order.length - 1; i++) order[i] = order[i + 1];
    order.pop();
    if (this.idle < MAX_IDLE_LANES) {
      this.idle++;
    } else {
      this.lanes.delete(lane.tag);
      this.core.dropLane(lane);
    }
  }

  /**
   * Makes room for `entries` entries in total without growing again: for a
   * caller that knows how many are coming (a queue rebuilt from storage).
   * Growing is still possible beyond it; nothing is ever shrunk.
   */
  reserve(entries: number): void {
    if (!(entries > 0)) return;
    // Lane headers take nodes from the same pool: one per priority, and priorities are few.
    this.core.reserve(entries + 16);
    this.slot(Math.min(this.core.capacity, entries + 16) - 1);
  }

  /** Makes the chunks cover node x. */
  private slot(x: number): void {
    while (x >> CHUNK_BITS >= this.chunks.length) {
      this.chunks.push(new Array<string | T | undefined>(2 * CHUNK).fill(undefined));
    }
  }

  private idAt(x: number): string {
    return this.chunks[x >> CHUNK_BITS][2 * (x & MASK)] as string;
  }

  private itemAt(x: number): T {
    return this.chunks[x >> CHUNK_BITS][2 * (x & MASK) + 1] as T;
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

  /** Frees unlinked node x (tower in core.tower), whose id is `id`. */
  private release(x: number, lane: SkipLane, id: string): void {
    const chunk = this.chunks[x >> CHUNK_BITS];
    const i = 2 * (x & MASK);
    this.index.delete(id);
    chunk[i] = undefined;
    chunk[i + 1] = undefined;
    this.core.free(x, this.core.tower);
    this.count--;
    if (lane.size === 0) this.closeLane(lane);
  }

  /** Unlinks the first node of lane and returns its item. */
  private shiftLane(lane: SkipLane): T {
    const x = this.core.unlinkFirst(lane);
    const chunk = this.chunks[x >> CHUNK_BITS];
    const i = 2 * (x & MASK);
    const item = chunk[i + 1] as T;
    this.release(x, lane, chunk[i] as string);
    return item;
  }

  private entryOf(x: number): PriorityQueueEntry<T> {
    const key = this.core.key(x);
    const priority = priorityOf(key);
    return {
      id: this.idAt(x),
      priority,
      seq: key + priority * SEQ_LIMIT,
      item: this.itemAt(x),
    };
  }

  private firstNode(): number {
    const order = this.order;
    return order.length === 0 ? NIL : this.core.next(order[0].head);
  }

  private leastNode(): number {
    const order = this.order;
    return order.length === 0 ? NIL : this.core.next(order[order.length - 1].head);
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

  /** Removes everything and releases the storage. `nextSeq` keeps counting. */
  clear(): void {
    this.core.reset();
    this.chunks = [];
    this.index = new Map();
    this.lanes = new Map();
    this.order = [];
    this.idle = 0;
    this.count = 0;
  }

  /**
   * Walks in drain order from 0-based position `from`: finding the start costs what
   * `at(from)` does (O(P + log n)), each step after it O(1), so reading a page deep in
   * the queue costs the same as reading the first.
   */
  private *walk<R>(pick: (x: number) => R, from = 0): Generator<R, void, undefined> {
    const c = this.core;
    const version = c.version;
    let skip = Math.max(0, Math.trunc(from));
    for (const lane of [...this.order]) {
      if (skip >= lane.size) {
        skip -= lane.size;
        continue;
      }
      const start = skip === 0 ? c.next(lane.head) : c.nodeAt(lane, skip);
      skip = 0;
      for (let x = start; x !== NIL;) {
        const next = c.next(x);
        yield pick(x);
        if (c.version !== version) throw new Error('PriorityQueue modified during iteration');
        x = next;
      }
    }
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

  /**
   * Throws if the skip lists (see `SkipList#checkInvariants`), the lanes or the id index
   * are inconsistent. O(n log n); for tests and debugging.
   */
  checkInvariants(): void {
    const fail = (msg: string): never => {
      throw new Error(`priority queue invariant violated: ${msg}`);
    };
    const c = this.core;
    c.check([...this.lanes.values()], (a, b) => c.key(a) < c.key(b));
    if (this.lanes.size !== this.order.length + this.idle) fail('lane map and lane order differ');
    let empty = 0;
    for (const [p, lane] of this.lanes) {
      if (lane.tag !== p) fail(`lane ${lane.tag} registered as ${p}`);
      if (lane.size === 0) empty++;
    }
    if (empty !== this.idle || empty > MAX_IDLE_LANES) fail(`${empty} idle lanes, counted ${this.idle}`);
    let n = 0;
    let prev = Infinity;
    for (const lane of this.order) {
      if (lane.size === 0) fail(`empty lane for priority ${lane.tag}`);
      if (!(lane.tag < prev)) fail('lanes not in descending priority order');
      prev = lane.tag;
      if (this.lanes.get(lane.tag) !== lane) fail(`lane ${lane.tag} not registered`);
      for (let x = c.next(lane.head); x !== NIL; x = c.next(x)) {
        n++;
        const id = this.idAt(x) as string | undefined;
        if (id === undefined || this.index.get(id) !== x) fail(`node ${x} (id ${id}) not indexed`);
        const e = this.entryOf(x);
        if (e.priority !== lane.tag) fail(`node ${x} has priority ${e.priority} in lane ${lane.tag}`);
        if (!Number.isInteger(e.seq) || e.seq < 0 || e.seq >= this.seqNext) {
          fail(`node ${x} decodes to seq ${e.seq}`);
        }
      }
    }
    if (n !== this.count) fail(`size is ${this.count}, lanes hold ${n}`);
    if (n !== this.index.size) fail(`index has ${this.index.size} ids, lanes hold ${n}`);
  }
}

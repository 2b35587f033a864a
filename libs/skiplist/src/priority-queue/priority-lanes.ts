import { SkipCore } from '../core/skip-core.js';
import type { SkipLane } from '../core/skip-lane.js';
import { NIL } from '../core/skip-pool.js';
import { priorityOf, SEQ_LIMIT, type PriorityQueueEntry, type PriorityQueueOptions } from './priority-entry.js';

/** Nodes per chunk of the id/item storage. */
export const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
export const MASK = CHUNK - 1;

/** Empty lanes kept allocated for reuse (about 0.4 KB each). */
const MAX_IDLE_LANES = 16;

/**
 * Where a PriorityQueue's entries live, and the bookkeeping of its lanes; the queue's
 * operations are in priority-queue.ts.
 *
 * Layout: one skip list ("lane") per priority present, ordered by seq, all sharing one
 * node pool; the lanes are kept in a small array sorted by priority. Each element's key
 * is one number, `seq - priority * 2^40`, compared inline (no comparator call). A push
 * with a fresh seq (the normal case) is an append to its lane: no search. The id -> node
 * index is a `Map<string, number>` whose values are small integers (no boxing).
 *
 * Memory per element, excluding the item and id themselves: 16 B node record (level-0
 * forward and backward links, key as two int32) + ~5.7 B of tower on average (1 node in 4
 * has one: 12 B header with a key copy + 8 B per level above 0) + 16 B id and item slots
 * ≈ 38 B, plus at most
 * 12.5% typed-array growth slack, plus one `Map` entry (id -> node index; ~30-40 B in
 * V8), plus ~0.4 KB per distinct priority queued (lane header).
 */
export class PriorityLanes<T> {
  protected readonly core: SkipCore;
  /**
   * Ids and items, in chunks of CHUNK nodes: node x's id is at `2 * (x & MASK)` of chunk
   * `x >> CHUNK_BITS`, its item right after (one cache line for both). Chunks never move,
   * so growing costs no copying and the slack is below one chunk.
   */
  protected chunks: (string | T | undefined)[][] = [];
  protected index = new Map<string, number>();
  /** Lanes by priority (lane.tag): the non-empty ones plus up to MAX_IDLE_LANES empty. */
  protected lanes = new Map<number, SkipLane>();
  /** The non-empty lanes, by priority descending. */
  protected order: SkipLane[] = [];
  protected idle = 0;
  protected seqNext = 0;
  protected count = 0;

  constructor(options: PriorityQueueOptions = {}) {
    this.core = new SkipCore(options, true);
  }

  /**
   * Lane for priority, registered in `order` (the caller is about to insert into it).
   * Emptied lanes stay allocated while there are few of them, so a priority that is
   * drained and refilled over and over does not rebuild its header each time.
   */
  protected openLane(priority: number): SkipLane {
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
  protected closeLane(lane: SkipLane): void {
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
  protected slot(x: number): void {
    while (x >> CHUNK_BITS >= this.chunks.length) {
      this.chunks.push(new Array<string | T | undefined>(2 * CHUNK).fill(undefined));
    }
  }

  protected idAt(x: number): string {
    return this.chunks[x >> CHUNK_BITS][2 * (x & MASK)] as string;
  }

  protected itemAt(x: number): T {
    return this.chunks[x >> CHUNK_BITS][2 * (x & MASK) + 1] as T;
  }

  /** Frees unlinked node x (tower in core.tower), whose id is `id`. */
  protected release(x: number, lane: SkipLane, id: string): void {
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
  protected shiftLane(lane: SkipLane): T {
    const x = this.core.unlinkFirst(lane);
    const chunk = this.chunks[x >> CHUNK_BITS];
    const i = 2 * (x & MASK);
    const item = chunk[i + 1] as T;
    this.release(x, lane, chunk[i] as string);
    return item;
  }

  protected entryOf(x: number): PriorityQueueEntry<T> {
    const key = this.core.key(x);
    const priority = priorityOf(key);
    return {
      id: this.idAt(x),
      priority,
      seq: key + priority * SEQ_LIMIT,
      item: this.itemAt(x),
    };
  }

  protected firstNode(): number {
    const order = this.order;
    return order.length === 0 ? NIL : this.core.next(order[0].head);
  }

  protected leastNode(): number {
    const order = this.order;
    return order.length === 0 ? NIL : this.core.next(order[order.length - 1].head);
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
  protected *walk<R>(pick: (x: number) => R, from = 0): Generator<R, void, undefined> {
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

// The storage of the skip-list engine (see skip-core.ts for the layout): node records and
// tower blocks in pooled typed arrays, their free lists and growth, numeric keys.

export const NIL = -1;
/** Highest tower allowed (as Redis' ZSKIPLIST_MAXLEVEL). */
export const MAX_LEVEL = 32;
/** Node indices must fit in 26 bits (tower headers pack node << 5 | height - 1). */
export const MAX_NODES = 2 ** 26 - 1;

const INITIAL_NODES = 16;
const INITIAL_TOWER_INTS = 256;
export const TWO_32 = 4294967296;

export interface SkipListOptions {
  /**
   * Uniform random source in [0, 1), used to draw tower heights (p = 1/4). Defaults to
   * `Math.random`. Inject a seeded generator for a deterministic structure in tests.
   */
  random?: () => number;
  /** Cap on tower height, 1..32 (default 32). 1 makes it a plain sorted linked list. */
  maxLevel?: number;
}

/**
 * Growth policy of the pools: +1/8 (+16). Memory is the point of this layout, so slack is
 * kept to at most 12.5% (~6% on average), at the price of ~8 amortized copies per element
 * (a memcpy for typed arrays).
 */
function grown(length: number, needed: number): number {
  let n = length + (length >> 3) + 16;
  if (n < needed) n = needed;
  return n;
}

/**
 * Node and tower storage shared by the lanes of one `SkipCore`. The pool's bookkeeping
 * (`top`, the free lists, `towerTop`) is public for the invariant checker only.
 * `update` / `rank` belong to the searches in SkipCore but are declared here with the
 * other fields, so the engine object keeps the one layout it had before the split.
 */
export class SkipPool {
  /** Node records, `rs` int32s each: next, prev, then (numeric) key hi, key lo. */
  rec!: Int32Array;
  /** Tower pool. */
  ti!: Int32Array;
  /** Int32s per node record (2, or 4 with numeric keys). */
  readonly rs: number;
  /** Int32s of tower header (1, or 3 with numeric keys). */
  readonly th: number;
  /** Node slots `rec` can hold (owners size their per-node arrays to match). */
  capacity = 0;
  /** First never-used node index. */
  top = 0;
  /** Head of the free-node list, threaded through the forward slot. */
  freeNode = NIL;
  /** First never-used int32 of the tower pool. */
  towerTop = 0;
  /** Free tower blocks, one list per height, threaded through `ti[b + 1]`. */
  readonly freeTower = new Int32Array(MAX_LEVEL + 1);
  /** Tower allocated by the last `alloc` (NIL for height 1) / released by the last unlink. */
  tower = NIL;
  /** Bumped by every structural change; iterators use it to detect modification. */
  version = 0;

  /** Search results: predecessor at each level (tower base; node at level 0) and rank. */
  readonly update = new Int32Array(MAX_LEVEL);
  readonly rank = new Int32Array(MAX_LEVEL);

  readonly maxLevel: number;
  private readonly random: () => number;

  constructor(options: SkipListOptions, numericKeys: boolean) {
    const maxLevel = options.maxLevel ?? MAX_LEVEL;
    if (!Number.isInteger(maxLevel) || maxLevel < 1 || maxLevel > MAX_LEVEL) {
      throw new RangeError(`maxLevel must be an integer in 1..${MAX_LEVEL}, got ${maxLevel}`);
    }
    this.maxLevel = maxLevel;
    this.random = options.random ?? Math.random;
    this.rs = numericKeys ? 4 : 2;
    this.th = numericKeys ? 3 : 1;
    this.reset();
  }

  /** Drops every node and lane and releases the storage. */
  reset(): void {
    this.rec = new Int32Array(INITIAL_NODES * this.rs);
    this.capacity = INITIAL_NODES;
    this.ti = new Int32Array(INITIAL_TOWER_INTS);
    this.top = 0;
    this.towerTop = 0;
    this.freeTower.fill(NIL);
    this.freeNode = NIL;
    this.tower = NIL;
    this.version++;
  }

  /** Int32s in the tower block of a height-h node (a height-1 header still has one). */
  blockSize(h: number): number {
    const n = this.th + 2 * h - 2;
    return n < 2 ? 2 : n;
  }

  /**
   * Tower height with P(height >= k) = 4^-(k-1), from a single draw: two leading zero
   * bits of a 32-bit number per extra level. One draw reaches at most 17 levels, which
   * covers 4^16 (~4e9) elements.
   */
  randomLevel(): number {
    const r = (this.random() * TWO_32) >>> 0;
    const h = 1 + (Math.clz32(r) >> 1);
    return h < this.maxLevel ? h : this.maxLevel;
  }

  /**
   * Allocates an unlinked node of height h and returns its index; its tower block (NIL
   * for h = 1) is left in `this.tower`. Owners must size their per-node arrays to
   * `capacity`.
   */
  alloc(h: number, withTower = false): number {
    let x = this.freeNode;
    if (x !== NIL) {
      this.freeNode = this.rec[this.rs * x];
    } else {
      x = this.top;
      if (x >= MAX_NODES) throw new RangeError(`skiplist pool is full (${MAX_NODES} nodes)`);
      this.top = x + 1;
      if (x >= this.capacity) this.growNodes(x + 1);
    }
    if (h > 1 || withTower) {
      let b = this.freeTower[h];
      if (b !== NIL) {
        this.freeTower[h] = this.ti[b + 1];
      } else {
        b = this.towerTop;
        const end = b + this.blockSize(h);
        if (end > this.ti.length) this.resizeTowers(grown(this.ti.length, end));
        this.towerTop = end;
      }
      this.ti[b] = (x << 5) | (h - 1);
      this.tower = b;
    } else {
      this.tower = NIL;
    }
    return x;
  }

  /** Returns an unlinked node and its tower (NIL if none) to the free lists. */
  free(x: number, tower: number): void {
    if (tower !== NIL) {
      const ti = this.ti;
      const h = (ti[tower] & 31) + 1;
      ti[tower] = -1;
      ti[tower + 1] = this.freeTower[h];
      this.freeTower[h] = tower;
    }
    this.rec[this.rs * x] = this.freeNode;
    this.freeNode = x;
  }

  /** Height of the node owning tower block b (1 if b is NIL). */
  towerHeight(b: number): number {
    return b === NIL ? 1 : (this.ti[b] & 31) + 1;
  }

  private growNodes(needed: number): void {
    this.resizeNodes(grown(this.capacity, needed));
  }

  private resizeNodes(cap: number): void {
    const rec = new Int32Array(cap * this.rs);
    rec.set(this.rec);
    this.rec = rec;
    this.capacity = cap;
  }

  /**
   * Makes room for `nodes` nodes in total, and their expected towers, in one
   * allocation each: growing step by step (1/8 at a time) copies the pool
   * some 75 times on the way to a million nodes and leaves each old copy to
   * the garbage collector. Never shrinks.
   */
  reserve(nodes: number): void {
    const wanted = Math.min(Math.max(0, Math.ceil(nodes)), MAX_NODES);
    if (wanted > this.capacity) this.resizeNodes(wanted);
    // A node has a tower with probability 1/4, of blockSize(h) ints: ~1.42 ints per node on average.
    const towerInts = Math.ceil(wanted * 1.5) + INITIAL_TOWER_INTS;
    if (towerInts > this.ti.length) this.resizeTowers(towerInts);
  }

  private resizeTowers(ints: number): void {
    const ti = new Int32Array(ints);
    ti.set(this.ti);
    this.ti = ti;
  }

  /** Level-0 successor of x (NIL at the end); the first node if x is a lane's head. */
  next(x: number): number {
    return this.rec[this.rs * x];
  }

  /** Stores numeric key `key` (an integer, |key| < 2^53) for node x and its tower. */
  setKey(x: number, tower: number, key: number): void {
    const hi = Math.floor(key / TWO_32);
    const lo = (key - hi * TWO_32) ^ 0x80000000;
    const p = 4 * x;
    this.rec[p + 2] = hi;
    this.rec[p + 3] = lo;
    if (tower !== NIL) {
      this.ti[tower + 1] = hi;
      this.ti[tower + 2] = lo;
    }
  }

  /** Numeric key of node x. */
  key(x: number): number {
    const p = 4 * x;
    return this.rec[p + 2] * TWO_32 + ((this.rec[p + 3] ^ 0x80000000) >>> 0);
  }
}

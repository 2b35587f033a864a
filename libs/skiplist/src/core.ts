/**
 * Key-agnostic skip-list engine shared by `SkipList` and `PriorityQueue`.
 *
 * No per-node objects. A node is an int32 index into a pool of typed arrays; one pool can
 * hold several lists ("lanes"), each with its own header node.
 *
 * - Node records in `rec` (`Int32Array`, `rs` int32s per node): `rec[rs * x]` is the
 *   level-0 forward link (NIL = -1 at the end), `rec[rs * x + 1]` the level-0 backward
 *   link (the lane's header node for the first node). The level-0 span is always 1 and is
 *   not stored. Free node indices form a list through the forward slot. With numeric keys
 *   (rs = 4) the record also holds the key as two int32s (see below), so a level-0 step
 *   reads one 16-byte record; otherwise (rs = 2) the owner keeps keys in its own array.
 * - Levels >= 1: nodes of height h > 1 (1 in 4) own a tower block in one pooled
 *   `Int32Array` (`ti`): a header of `th` int32s, `ti[b] = node << 5 | (h - 1)` (plus a
 *   copy of the numeric key when th = 3), then for each level L = 1..h-1 the pair
 *   `ti[b + th + 2L - 2]` = next tower (its block base, or NIL) and `ti[b + th + 2L - 1]`
 *   = span. Upper levels link tower to tower, so an upper-level step reads one block.
 *   Free blocks are kept in one list per height, threaded through `ti[b + 1]`.
 * - Nodes do not point to their tower: the searches that precede an unlink reach it.
 * - Unlinking a known node needs its predecessor at every level: the backward link gives
 *   level 0, a search by key (which stops above level 0) the others.
 *
 * Numeric keys are integers in (-2^53, 2^53) stored as `hi = floor(key / 2^32)` and the
 * low 32 bits with the sign bit flipped, so comparing (hi, lo) as signed int32 pairs
 * orders keys numerically.
 *
 * Spans follow Redis' zset skiplist: the span of a link is the number of level-0 steps it
 * covers, rank(target) - rank(source), with the header at rank 0 and NIL counting as rank
 * `size` (so a link to NIL from x has span size - rank(x)). Each lane also keeps the last
 * tower of every level, which with the spans to NIL gives the predecessors and ranks of
 * the end position in O(levels): appending in key order needs no search.
 *
 * Owners do the key-dependent part, the search, filling `update` (for L >= 1 the tower
 * base of the predecessor at level L, for L = 0 the predecessor node) and `rank` (the
 * predecessors' ranks), then call `link` / `unlink`.
 */

export const NIL = -1;
/** Highest tower allowed (as Redis' ZSKIPLIST_MAXLEVEL). */
export const MAX_LEVEL = 32;
/** Node indices must fit in 26 bits (tower headers pack node << 5 | height - 1). */
export const MAX_NODES = 2 ** 26 - 1;

const INITIAL_NODES = 16;
const INITIAL_TOWER_INTS = 256;
const TWO_32 = 4294967296;

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

export class SkipCore {
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
  private top = 0;
  private freeNode = NIL;
  /** First never-used int32 of the tower pool. */
  private towerTop = 0;
  private readonly freeTower = new Int32Array(MAX_LEVEL + 1);
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
  private blockSize(h: number): number {
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

  /** New empty lane (allocates its header node and tower). */
  newLane(tag: number): SkipLane {
    const head = this.alloc(this.maxLevel, true);
    const b = this.tower;
    const ti = this.ti;
    const th = this.th;
    this.rec[this.rs * head] = NIL;
    for (let L = 1; L < this.maxLevel; L++) {
      ti[b + th + 2 * L - 2] = NIL;
      ti[b + th + 2 * L - 1] = 0;
    }
    return new SkipLane(head, b, this.maxLevel, tag);
  }

  /** Releases the header of an empty lane. */
  dropLane(lane: SkipLane): void {
    this.free(lane.head, lane.headTower);
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

  /** Fills `update`/`rank` with the predecessors of the position after the lane's tail. */
  seekEnd(lane: SkipLane): void {
    const update = this.update;
    const rank = this.rank;
    const ti = this.ti;
    const last = lane.last;
    const size = lane.size;
    const o = this.th - 1;
    update[0] = lane.tail === NIL ? lane.head : lane.tail;
    rank[0] = size;
    for (let L = 1; L < lane.level; L++) {
      const b = last[L];
      update[L] = b;
      rank[L] = size - ti[b + o + 2 * L]; // span to NIL = size - rank
    }
  }

  /**
   * Links node x (allocated, tower block `tower`, height h) after the predecessors in
   * `update`, with ranks in `rank`, for every level below `lane.level`.
   */
  link(lane: SkipLane, x: number, tower: number, h: number): void {
    const update = this.update;
    const rank = this.rank;
    const ti = this.ti;
    const o = this.th - 2; // level L link at b + o + 2L, span at b + o + 2L + 1
    let level = lane.level;
    if (h > level) {
      const hb = lane.headTower;
      for (let L = level; L < h; L++) {
        update[L] = hb;
        rank[L] = 0;
        ti[hb + o + 2 * L + 1] = lane.size; // the header's link to NIL spans everything
      }
      lane.level = level = h;
    }
    const rec = this.rec;
    const rs = this.rs;
    const u0 = update[0];
    const nx = rec[rs * u0];
    rec[rs * x] = nx;
    rec[rs * x + 1] = u0;
    rec[rs * u0] = x;
    if (nx === NIL) lane.tail = x;
    else rec[rs * nx + 1] = x;
    if (h > 1) {
      const r0 = rank[0];
      const last = lane.last;
      for (let L = 1; L < h; L++) {
        const pu = update[L] + o + 2 * L;
        const px = tower + o + 2 * L;
        const d = r0 - rank[L];
        const nb = ti[pu];
        ti[px] = nb;
        ti[pu] = tower;
        ti[px + 1] = ti[pu + 1] - d;
        ti[pu + 1] = d + 1;
        if (nb === NIL) last[L] = tower;
      }
    }
    for (let L = h; L < level; L++) ti[update[L] + o + 2 * L + 1]++;
    lane.size++;
    this.version++;
  }

  /**
   * Unlinks node x, given its predecessors in `update` for every level below `lane.level`
   * (the last node / tower whose key is below x's). Does not free x; leaves x's tower in
   * `this.tower`.
   */
  unlink(lane: SkipLane, x: number): void {
    const update = this.update;
    const rec = this.rec;
    const rs = this.rs;
    const ti = this.ti;
    const o = this.th - 2;
    const u0 = update[0];
    const nx = rec[rs * x];
    rec[rs * u0] = nx;
    if (nx === NIL) lane.tail = u0 === lane.head ? NIL : u0;
    else rec[rs * nx + 1] = u0;
    const level = lane.level;
    let tower = NIL;
    let h = 1;
    if (level > 1) {
      const c = ti[update[1] + o + 2];
      if (c !== NIL && ti[c] >>> 5 === x) {
        tower = c;
        h = (ti[c] & 31) + 1;
      }
    }
    const last = lane.last;
    for (let L = 1; L < level; L++) {
      const u = update[L];
      const pu = u + o + 2 * L;
      if (L < h) {
        const px = tower + o + 2 * L;
        const nb = ti[px];
        ti[pu + 1] += ti[px + 1] - 1;
        ti[pu] = nb;
        if (nb === NIL) last[L] = u;
      } else {
        ti[pu + 1]--;
      }
    }
    this.tower = tower;
    lane.size--;
    this.shrink(lane);
    this.version++;
  }

  /**
   * Unlinks and returns the first node (NIL if empty), leaving its tower in `this.tower`.
   * No search: the header precedes it at every level.
   */
  unlinkFirst(lane: SkipLane): number {
    const rec = this.rec;
    const rs = this.rs;
    const head = rs * lane.head;
    const x = rec[head];
    if (x === NIL) return NIL;
    const ti = this.ti;
    const o = this.th - 2;
    const nx = rec[rs * x];
    rec[head] = nx;
    if (nx === NIL) lane.tail = NIL;
    else rec[rs * nx + 1] = lane.head;
    const hb = lane.headTower;
    const level = lane.level;
    let tower = NIL;
    let h = 1;
    if (level > 1) {
      const c = ti[hb + o + 2];
      if (c !== NIL && ti[c] >>> 5 === x) {
        tower = c;
        h = (ti[c] & 31) + 1;
      }
    }
    const last = lane.last;
    for (let L = 1; L < level; L++) {
      const pu = hb + o + 2 * L;
      if (L < h) {
        const px = tower + o + 2 * L;
        const nb = ti[px];
        ti[pu + 1] += ti[px + 1] - 1;
        ti[pu] = nb;
        if (nb === NIL) last[L] = hb;
      } else {
        ti[pu + 1]--;
      }
    }
    this.tower = tower;
    lane.size--;
    this.shrink(lane);
    this.version++;
    return x;
  }

  private shrink(lane: SkipLane): void {
    const ti = this.ti;
    const base = lane.headTower + this.th - 2;
    let level = lane.level;
    while (level > 1 && ti[base + 2 * (level - 1)] === NIL) level--;
    lane.level = level;
  }

  /**
   * Numeric-key search (numeric pools only): fills `update`/`rank` with the last node
   * < key at every level in use and returns the first node >= key (or NIL).
   */
  seekNumber(lane: SkipLane, key: number): number {
    const hi = Math.floor(key / TWO_32);
    const lo = (key - hi * TWO_32) ^ 0x80000000;
    const ti = this.ti;
    const update = this.update;
    const rank = this.rank;
    let b = lane.headTower;
    let r = 0;
    for (let L = lane.level - 1; L >= 1; L--) {
      let p = b + 1 + 2 * L; // th = 3: link at b + 3 + 2(L - 1)
      let nb = ti[p];
      while (nb !== NIL) {
        const h = ti[nb + 1];
        if (h > hi || (h === hi && ti[nb + 2] >= lo)) break;
        r += ti[p + 1];
        b = nb;
        p = b + 1 + 2 * L;
        nb = ti[p];
      }
      update[L] = b;
      rank[L] = r;
    }
    const rec = this.rec;
    let x = ti[b] >>> 5;
    let nx = rec[4 * x];
    while (nx !== NIL) {
      const q = 4 * nx;
      const h = rec[q + 2];
      if (h > hi || (h === hi && rec[q + 3] >= lo)) break;
      r++;
      x = nx;
      nx = rec[q];
    }
    update[0] = x;
    rank[0] = r;
    return nx;
  }

  /**
   * Fills `update` with the predecessors of linked node x of a numeric pool (ranks are not
   * computed): the upper levels by search, level 0 from x's backward link.
   */
  seekPredecessors(lane: SkipLane, x: number): void {
    const rec = this.rec;
    const hi = rec[4 * x + 2];
    const lo = rec[4 * x + 3];
    const ti = this.ti;
    const update = this.update;
    let b = lane.headTower;
    for (let L = lane.level - 1; L >= 1; L--) {
      let nb = ti[b + 1 + 2 * L];
      while (nb !== NIL) {
        const h = ti[nb + 1];
        if (h > hi || (h === hi && ti[nb + 2] >= lo)) break;
        b = nb;
        nb = ti[b + 1 + 2 * L];
      }
      update[L] = b;
    }
    update[0] = rec[4 * x + 1];
  }

  /** Node at 0-based position `index` of the lane (must be in range), O(log n). */
  nodeAt(lane: SkipLane, index: number): number {
    const target = index + 1;
    const ti = this.ti;
    const o = this.th - 2;
    let b = lane.headTower;
    let r = 0;
    for (let L = lane.level - 1; L >= 1; L--) {
      let p = b + o + 2 * L;
      let nb = ti[p];
      while (nb !== NIL && r + ti[p + 1] <= target) {
        r += ti[p + 1];
        b = nb;
        p = b + o + 2 * L;
        nb = ti[p];
      }
      if (r === target) return ti[b] >>> 5;
    }
    const rec = this.rec;
    const rs = this.rs;
    let x = ti[b] >>> 5;
    while (r < target) {
      x = rec[rs * x];
      r++;
    }
    return x;
  }

  /**
   * Verifies the lanes (which must be all the lanes of this pool) and the free lists;
   * throws an Error naming the first violated invariant. `less(a, b)` must say whether
   * node a's key orders strictly before node b's. O(n log n) time, O(capacity) memory:
   * for tests and debugging.
   */
  check(lanes: readonly SkipLane[], less: (a: number, b: number) => boolean): void {
    const fail = (msg: string): never => {
      throw new Error(`skiplist invariant violated: ${msg}`);
    };
    const { rec, rs, ti, th } = this;
    const o = th - 2;
    const numeric = th === 3;
    // owner[x]: 0 unseen, 1 live, 2 header, 3 free.
    const owner = new Uint8Array(this.top);
    const rankOf = new Int32Array(this.top).fill(-1);
    const towerOf = new Int32Array(this.top).fill(NIL);
    let live = 0;
    let towerInts = 0;
    const blockOk = (b: number): boolean =>
      b >= 0 && b < this.towerTop && ti[b] >= 0 && b + this.blockSize((ti[b] & 31) + 1) <= this.towerTop;
    for (const lane of lanes) {
      const { head, headTower: hb } = lane;
      if (head < 0 || head >= this.top || owner[head] !== 0) fail(`bad lane header ${head}`);
      owner[head] = 2;
      if (!blockOk(hb) || ti[hb] !== ((head << 5) | (this.maxLevel - 1))) {
        fail(`header tower of lane ${head}`);
      }
      towerInts += this.blockSize(this.maxLevel);
      if (lane.level < 1 || lane.level > this.maxLevel) fail(`level ${lane.level} out of range`);
      rankOf[head] = 0;
      // Level 0: count, tail, order; record ranks.
      let r = 0;
      let prev = NIL;
      for (let x = rec[rs * head]; x !== NIL; x = rec[rs * x]) {
        if (x < 0 || x >= this.top || owner[x] !== 0) fail(`level 0 links to bad node ${x}`);
        const back = prev === NIL ? head : prev;
        if (rec[rs * x + 1] !== back) fail(`backward link of ${x} is ${rec[rs * x + 1]}, not ${back}`);
        owner[x] = 1;
        r++;
        if (r > lane.size) fail(`more than size=${lane.size} nodes at level 0`);
        rankOf[x] = r;
        if (prev !== NIL && !less(prev, x)) fail(`level 0 not strictly ordered at node ${x}`);
        prev = x;
      }
      live += r;
      if (r !== lane.size) fail(`size is ${lane.size} but level 0 holds ${r} nodes`);
      if (lane.tail !== prev) fail(`tail is ${lane.tail}, expected ${prev}`);
      // Upper levels: nested subsequences of level 0, strictly ordered, spans equal to rank
      // differences (to NIL: size - rank), `last` pointing at the end of each level.
      let above = 0; // towers at level L - 1 that reach level L
      for (let L = 1; L < this.maxLevel; L++) {
        if (L >= lane.level) {
          if (ti[hb + o + 2 * L] !== NIL) fail(`header links at level ${L} >= ${lane.level}`);
          if (lane.last[L] !== hb) fail(`last[${L}] set above the level`);
          continue;
        }
        let b = hb;
        let x = head;
        let seen = 0;
        let tall = 0;
        for (;;) {
          const nb = ti[b + o + 2 * L];
          const span = ti[b + o + 2 * L + 1];
          if (nb === NIL) {
            if (span !== lane.size - rankOf[x]) {
              fail(`span to NIL at level ${L} from ${x} is ${span}, not ${lane.size - rankOf[x]}`);
            }
            if (lane.last[L] !== b) fail(`last[${L}] is ${lane.last[L]}, expected ${b}`);
            break;
          }
          if (!blockOk(nb)) fail(`level ${L} links to bad tower ${nb}`);
          const nx = ti[nb] >>> 5;
          const h = (ti[nb] & 31) + 1;
          if (nx >= this.top || owner[nx] !== 1 || rankOf[nx] <= rankOf[x]) {
            fail(`level ${L} links to tower ${nb} of node ${nx} out of order or not in lane`);
          }
          if (h <= L) fail(`node ${nx} of height ${h} linked at level ${L}`);
          if (L === 1) {
            if (towerOf[nx] !== NIL) fail(`node ${nx} has two towers`);
            towerOf[nx] = nb;
            towerInts += this.blockSize(h);
            if (numeric && (ti[nb + 1] !== rec[4 * nx + 2] || ti[nb + 2] !== rec[4 * nx + 3])) {
              fail(`tower ${nb} holds a stale key copy for node ${nx}`);
            }
          } else if (towerOf[nx] !== nb) {
            fail(`node ${nx} at level ${L} is not linked at level ${L - 1}`);
          }
          if (x !== head && !less(x, nx)) fail(`level ${L} not strictly ordered at node ${nx}`);
          if (span !== rankOf[nx] - rankOf[x]) {
            fail(`span at level ${L} from ${x} is ${span}, expected ${rankOf[nx] - rankOf[x]}`);
          }
          seen++;
          if (h > L + 1) tall++;
          b = nb;
          x = nx;
        }
        if (L > 1 && seen !== above) fail(`level ${L} links ${seen} of ${above} tall towers`);
        if (L === lane.level - 1 && seen === 0) fail(`level ${lane.level} is not minimal`);
        above = tall;
      }
      if (above !== 0) fail(`towers taller than level ${lane.level}`);
    }
    // Free lists: nodes are exactly the rest; free tower blocks fill the rest of the pool.
    let free = 0;
    for (let x = this.freeNode; x !== NIL; x = rec[rs * x]) {
      if (x < 0 || x >= this.top || owner[x] !== 0) fail(`bad free-list entry ${x}`);
      owner[x] = 3;
      free++;
    }
    if (live + lanes.length + free !== this.top) {
      fail(`${live} live + ${lanes.length} headers + ${free} free != ${this.top} allocated`);
    }
    for (let h = 1; h <= MAX_LEVEL; h++) {
      let guard = 0;
      for (let b = this.freeTower[h]; b !== NIL; b = ti[b + 1]) {
        if (b < 0 || b + this.blockSize(h) > this.towerTop || ti[b] !== -1) {
          fail(`bad free tower ${b}`);
        }
        towerInts += this.blockSize(h);
        if (++guard > this.towerTop) fail('free tower cycle');
      }
    }
    if (towerInts !== this.towerTop) {
      fail(`tower pool: ${towerInts} ints accounted for, ${this.towerTop} allocated`);
    }
  }
}

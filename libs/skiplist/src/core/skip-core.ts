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
import { checkSkipCore } from './check-skip-core.js';
import { SkipLane } from './skip-lane.js';
import { NIL, SkipPool, TWO_32 } from './skip-pool.js';

/** The engine: lanes over one `SkipPool`, linking, unlinking and the searches. */
export class SkipCore extends SkipPool {
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
    const rec = this.rec;
    const rs = this.rs;
    const u0 = this.update[0];
    const nx = rec[rs * x];
    rec[rs * u0] = nx;
    if (nx === NIL) lane.tail = u0 === lane.head ? NIL : u0;
    else rec[rs * nx + 1] = u0;
    this.unlinkAbove(lane, x, false);
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
    const nx = rec[rs * x];
    rec[head] = nx;
    if (nx === NIL) lane.tail = NIL;
    else rec[rs * nx + 1] = lane.head;
    this.unlinkAbove(lane, x, true);
    return x;
  }

  /**
   * The rest of an unlink once level 0 is done: detaches x's tower (if it has one, the
   * level-1 link of its predecessor points at it) from every level it reaches, shortens
   * the spans that pass over it and leaves it in `this.tower`. The predecessor at level L
   * is `update[L]`, or, for the first node (`first`), the lane's header at every level.
   * `first` is a constant at both call sites, so the check folds away once inlined.
   */
  private unlinkAbove(lane: SkipLane, x: number, first: boolean): void {
    const update = this.update;
    const ti = this.ti;
    const o = this.th - 2;
    const hb = lane.headTower;
    const level = lane.level;
    let tower = NIL;
    let h = 1;
    if (level > 1) {
      const c = ti[(first ? hb : update[1]) + o + 2];
      if (c !== NIL && ti[c] >>> 5 === x) {
        tower = c;
        h = (ti[c] & 31) + 1;
      }
    }
    const last = lane.last;
    for (let L = 1; L < level; L++) {
      const u = first ? hb : update[L];
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
    checkSkipCore(this, lanes, less);
  }
}

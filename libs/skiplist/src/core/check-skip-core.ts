import type { SkipLane } from './skip-lane.js';
import { MAX_LEVEL, NIL, type SkipPool } from './skip-pool.js';

/**
 * Verifies the lanes (which must be all the lanes of this pool) and the free lists;
 * throws an Error naming the first violated invariant. `less(a, b)` must say whether
 * node a's key orders strictly before node b's. O(n log n) time, O(capacity) memory:
 * for tests and debugging.
 */
export function checkSkipCore(
  core: SkipPool,
  lanes: readonly SkipLane[],
  less: (a: number, b: number) => boolean,
): void {
  const fail = (msg: string): never => {
    throw new Error(`skiplist invariant violated: ${msg}`);
  };
  const { rec, rs, ti, th, maxLevel, top, towerTop } = core;
  const o = th - 2;
  const numeric = th === 3;
  // owner[x]: 0 unseen, 1 live, 2 header, 3 free.
  const owner = new Uint8Array(top);
  const rankOf = new Int32Array(top).fill(-1);
  const towerOf = new Int32Array(top).fill(NIL);
  let live = 0;
  let towerInts = 0;
  const blockOk = (b: number): boolean =>
    b >= 0 && b < towerTop && ti[b] >= 0 && b + core.blockSize((ti[b] & 31) + 1) <= towerTop;
  for (const lane of lanes) {
    const { head, headTower: hb } = lane;
    if (head < 0 || head >= top || owner[head] !== 0) fail(`bad lane header ${head}`);
    owner[head] = 2;
    if (!blockOk(hb) || ti[hb] !== ((head << 5) | (maxLevel - 1))) {
      fail(`header tower of lane ${head}`);
    }
    towerInts += core.blockSize(maxLevel);
    if (lane.level < 1 || lane.level > maxLevel) fail(`level ${lane.level} out of range`);
    rankOf[head] = 0;
    // Level 0: count, tail, order; record ranks.
    let r = 0;
    let prev = NIL;
    for (let x = rec[rs * head]; x !== NIL; x = rec[rs * x]) {
      if (x < 0 || x >= top || owner[x] !== 0) fail(`level 0 links to bad node ${x}`);
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
    for (let L = 1; L < maxLevel; L++) {
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
        if (nx >= top || owner[nx] !== 1 || rankOf[nx] <= rankOf[x]) {
          fail(`level ${L} links to tower ${nb} of node ${nx} out of order or not in lane`);
        }
        if (h <= L) fail(`node ${nx} of height ${h} linked at level ${L}`);
        if (L === 1) {
          if (towerOf[nx] !== NIL) fail(`node ${nx} has two towers`);
          towerOf[nx] = nb;
          towerInts += core.blockSize(h);
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
  for (let x = core.freeNode; x !== NIL; x = rec[rs * x]) {
    if (x < 0 || x >= top || owner[x] !== 0) fail(`bad free-list entry ${x}`);
    owner[x] = 3;
    free++;
  }
  if (live + lanes.length + free !== top) {
    fail(`${live} live + ${lanes.length} headers + ${free} free != ${top} allocated`);
  }
  for (let h = 1; h <= MAX_LEVEL; h++) {
    let guard = 0;
    for (let b = core.freeTower[h]; b !== NIL; b = ti[b + 1]) {
      if (b < 0 || b + core.blockSize(h) > towerTop || ti[b] !== -1) {
        fail(`bad free tower ${b}`);
      }
      towerInts += core.blockSize(h);
      if (++guard > towerTop) fail('free tower cycle');
    }
  }
  if (towerInts !== towerTop) {
    fail(`tower pool: ${towerInts} ints accounted for, ${towerTop} allocated`);
  }
}

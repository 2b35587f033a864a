/**
 * Benchmark: @app/skiplist PriorityQueue against the ordered containers a user would pick
 * instead (js-sdsl OrderedMap, sorted-btree BTree) and a binary heap with lazy deletion
 * (heap-js).
 *
 *   npm run bench:skiplist
 *   # = node --expose-gc --import tsx bench/skiplist/skiplist.bench.ts
 *
 * Environment knobs: SIZES=100000,1000000 OPS=1000000 ROUNDS=5 SEED=42 ONLY=ours,heap,...
 *
 * Workload per size n: fill with n items (random priority 0..3), then OPS mixed operations:
 * 40% push (random priority 0..3), 30% pop, 20% remove of a random live id, 10% get of a
 * random live id. The operation sequence is generated once per size from a seeded PRNG,
 * by simulating the queue (priority desc, FIFO within a priority), so every
 * implementation does exactly the same work; each run checks every pop/get result
 * against the simulation and aborts on a mismatch.
 *
 * Every implementation keys entries by the same composite (priority, seq) key packed into
 * one number, `seq - priority * 2^40`, and (for the peers) keeps a Map id -> key for
 * remove/get by id. Ids and items are pre-allocated and shared, so memory figures cover
 * only the container's own storage.
 *
 * Each size runs ROUNDS timing rounds; within a round every implementation runs once on a
 * fresh container, in a rotated order. Reported: median ops/s of the mixed phase (fill not
 * timed), ratio ours / peer, and bytes per element after filling n items measured in
 * isolation: delta of heapUsed + arrayBuffers (typed-array storage is off the JS heap and
 * would be missed by heapUsed alone) around the fill, with global.gc() before each reading.
 */
import { cpus } from 'node:os';
import { OrderedMap } from 'js-sdsl';
import sortedBtree from 'sorted-btree';
import { Heap } from 'heap-js';
import { PriorityQueue } from '@app/skiplist';

const BTree = sortedBtree.default;
type BTreeT<K, V> = InstanceType<typeof BTree<K, V>>;

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error('run with node --expose-gc');
  });

const SIZES = (process.env.SIZES ?? '100000,1000000').split(',').map(Number);
const OPS = Number(process.env.OPS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SEED = Number(process.env.SEED ?? 42);
const SHIFT = 2 ** 40;

interface Item {
  readonly id: string;
  readonly n: number;
}

const PUSH = 0;
const POP = 1;
const REMOVE = 2;
const GET = 3;

interface Workload {
  n: number;
  items: Item[];
  fillPri: Uint8Array;
  kind: Uint8Array;
  /** push: new item index; pop: expected popped item index (-1 if empty); remove/get: target. */
  arg: Int32Array;
  pri: Uint8Array;
  counts: number[];
}

/** sfc32: small fast counter PRNG, 32-bit output. */
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

function makeWorkload(n: number, ops: number, seed: number): Workload {
  const rnd = sfc32(seed);
  const total = n + ops;
  const items: Item[] = [];
  const fillPri = new Uint8Array(n);
  const kind = new Uint8Array(ops);
  const arg = new Int32Array(ops);
  const pri = new Uint8Array(ops);
  const counts = [0, 0, 0, 0];
  // Simulation: live set (for random picks) + one FIFO per priority with lazy deletion.
  const livePos = new Int32Array(total).fill(-1);
  const live = new Int32Array(total);
  let liveCount = 0;
  const fifo = [0, 1, 2, 3].map(() => new Int32Array(total));
  const head = [0, 0, 0, 0];
  const tail = [0, 0, 0, 0];
  let nextItem = 0;
  const add = (p: number): number => {
    const i = nextItem++;
    items.push({ id: `n${i}`, n: i });
    livePos[i] = liveCount;
    live[liveCount++] = i;
    fifo[p][tail[p]++] = i;
    return i;
  };
  const kill = (i: number): void => {
    const pos = livePos[i];
    const last = live[--liveCount];
    live[pos] = last;
    livePos[last] = pos;
    livePos[i] = -1;
  };
  for (let i = 0; i < n; i++) {
    fillPri[i] = rnd() & 3;
    add(fillPri[i]);
  }
  for (let k = 0; k < ops; k++) {
    const r = rnd() % 10;
    let op = r < 4 ? PUSH : r < 7 ? POP : r < 9 ? REMOVE : GET;
    if ((op === REMOVE || op === GET) && liveCount === 0) op = PUSH;
    kind[k] = op;
    counts[op]++;
    if (op === PUSH) {
      pri[k] = rnd() & 3;
      arg[k] = add(pri[k]);
    } else if (op === POP) {
      let got = -1;
      for (let p = 3; p >= 0 && got < 0; p--) {
        const q = fifo[p];
        while (head[p] < tail[p] && livePos[q[head[p]]] < 0) head[p]++;
        if (head[p] < tail[p]) got = q[head[p]++];
      }
      if (got >= 0) kill(got);
      arg[k] = got;
    } else {
      const target = live[rnd() % liveCount];
      arg[k] = target;
      if (op === REMOVE) kill(target);
    }
  }
  return { n, items, fillPri, kind, arg, pri, counts };
}

function mismatch(name: string, k: number): never {
  throw new Error(`${name}: result differs from the simulation at op ${k}`);
}

// ---------------------------------------------------------------------------------------
// Implementations. All give the same contract as ours: push of a queued id is refused
// (first write wins), pop returns the highest priority, oldest first.

interface Impl {
  name: string;
  short: string;
  /** Ordered-map peer (the acceptance target is measured against these). */
  orderedMap: boolean;
  fill(w: Workload): unknown;
  run(w: Workload, q: unknown): void;
}

// Ours: the PriorityQueue (seq assigned internally).
const ours: Impl = {
  name: '@app/skiplist PriorityQueue',
  short: 'ours',
  orderedMap: false,
  fill(w) {
    const q = new PriorityQueue<Item>();
    const { items, fillPri } = w;
    for (let i = 0; i < w.n; i++) q.push(items[i].id, fillPri[i], items[i]);
    return q;
  },
  run(w, state) {
    const q = state as PriorityQueue<Item>;
    const { items, kind, arg, pri } = w;
    for (let k = 0; k < kind.length; k++) {
      const a = arg[k];
      switch (kind[k]) {
        case PUSH:
          if (!q.push(items[a].id, pri[k], items[a])) mismatch(this.name, k);
          break;
        case POP:
          if ((q.pop()?.n ?? -1) !== a) mismatch(this.name, k);
          break;
        case REMOVE:
          if (!q.remove(items[a].id)) mismatch(this.name, k);
          break;
        default:
          if (q.get(items[a].id) !== items[a]) mismatch(this.name, k);
      }
    }
  },
};

/** What every peer queue offers; the peers below each implement it on their container. */
interface PeerQueue {
  push(item: Item, priority: number): boolean;
  pop(): Item | undefined;
  remove(id: string): boolean;
  get(id: string): Item | undefined;
}

/** Composite key as a user would write it: a [priority, seq] tuple and a comparator. */
type Tuple = [priority: number, seq: number];
const compareTuples = (a: Tuple, b: Tuple): number => b[0] - a[0] || a[1] - b[1];
const tupleKey = (priority: number, seq: number): Tuple => [priority, seq];
/** The key packed into one number, seq - priority * 2^40 (our key encoding). */
const packedKey = (priority: number, seq: number): number => seq - priority * SHIFT;

/**
 * An ordered map keyed by (priority, seq) + Map id -> key. `compare` undefined is the
 * container's default comparator (the packed keys use it).
 */
abstract class OrderedMapQueue<K> implements PeerQueue {
  readonly keyOf = new Map<string, K>();
  seq = 0;
  constructor(private readonly keyFor: (priority: number, seq: number) => K) {}
  protected abstract insert(key: K, item: Item): void;
  protected abstract erase(key: K): boolean;
  protected abstract lookup(key: K): Item | undefined;
  protected abstract front(): [K, Item] | undefined;
  push(item: Item, priority: number): boolean {
    if (this.keyOf.has(item.id)) return false;
    const key = this.keyFor(priority, this.seq++);
    this.insert(key, item);
    this.keyOf.set(item.id, key);
    return true;
  }
  pop(): Item | undefined {
    const front = this.front();
    if (front === undefined) return undefined;
    this.erase(front[0]);
    this.keyOf.delete(front[1].id);
    return front[1];
  }
  remove(id: string): boolean {
    const key = this.keyOf.get(id);
    if (key === undefined) return false;
    this.keyOf.delete(id);
    return this.erase(key);
  }
  get(id: string): Item | undefined {
    const key = this.keyOf.get(id);
    return key === undefined ? undefined : this.lookup(key);
  }
}

// js-sdsl OrderedMap (red-black tree).
class SdslQueue<K> extends OrderedMapQueue<K> {
  readonly tree: OrderedMap<K, Item>;
  constructor(keyFor: (priority: number, seq: number) => K, compare?: (a: K, b: K) => number) {
    super(keyFor);
    this.tree = new OrderedMap<K, Item>([], compare);
  }
  protected insert(key: K, item: Item): void {
    this.tree.setElement(key, item);
  }
  protected erase(key: K): boolean {
    return this.tree.eraseElementByKey(key);
  }
  protected lookup(key: K): Item | undefined {
    return this.tree.getElementByKey(key);
  }
  protected front(): [K, Item] | undefined {
    return this.tree.front();
  }
}

// sorted-btree BTree (B+ tree).
class BTreeQueue<K> extends OrderedMapQueue<K> {
  readonly tree: BTreeT<K, Item>;
  readonly pair: [K, Item] = [undefined as unknown as K, undefined as unknown as Item];
  constructor(keyFor: (priority: number, seq: number) => K, compare?: (a: K, b: K) => number) {
    super(keyFor);
    this.tree = new BTree<K, Item>(undefined, compare);
  }
  protected insert(key: K, item: Item): void {
    this.tree.set(key, item);
  }
  protected erase(key: K): boolean {
    return this.tree.delete(key);
  }
  protected lookup(key: K): Item | undefined {
    return this.tree.get(key);
  }
  protected front(): [K, Item] | undefined {
    return this.tree.nextHigherPair(undefined, this.pair);
  }
}

// heap-js binary heap of entry objects ordered by (priority desc, seq asc); remove marks
// the entry dead and pop skips dead entries (lazy deletion); Map id -> entry.
interface HeapEntry {
  priority: number;
  seq: number;
  item: Item;
  live: boolean;
}
class HeapQueue implements PeerQueue {
  readonly heap = new Heap<HeapEntry>((a, b) => b.priority - a.priority || a.seq - b.seq);
  readonly entryOf = new Map<string, HeapEntry>();
  seq = 0;
  push(item: Item, priority: number): boolean {
    if (this.entryOf.has(item.id)) return false;
    const e: HeapEntry = { priority, seq: this.seq++, item, live: true };
    this.heap.add(e);
    this.entryOf.set(item.id, e);
    return true;
  }
  pop(): Item | undefined {
    for (;;) {
      const e = this.heap.pop();
      if (e === undefined) return undefined;
      if (e.live) {
        this.entryOf.delete(e.item.id);
        return e.item;
      }
    }
  }
  remove(id: string): boolean {
    const e = this.entryOf.get(id);
    if (e === undefined) return false;
    e.live = false;
    this.entryOf.delete(id);
    return true;
  }
  get(id: string): Item | undefined {
    return this.entryOf.get(id)?.item;
  }
}

/** A peer: the same fill and mixed-operation loop over its PeerQueue. */
function peer(name: string, short: string, orderedMap: boolean, create: () => PeerQueue): Impl {
  return {
    name,
    short,
    orderedMap,
    fill(w) {
      const q = create();
      for (let i = 0; i < w.n; i++) q.push(w.items[i], w.fillPri[i]);
      return q;
    },
    run(w, state) {
      const q = state as PeerQueue;
      const { items, kind, arg, pri } = w;
      for (let k = 0; k < kind.length; k++) {
        const a = arg[k];
        switch (kind[k]) {
          case PUSH:
            if (!q.push(items[a], pri[k])) mismatch(name, k);
            break;
          case POP:
            if ((q.pop()?.n ?? -1) !== a) mismatch(name, k);
            break;
          case REMOVE:
            if (!q.remove(items[a].id)) mismatch(name, k);
            break;
          default:
            if (q.get(items[a].id) !== items[a]) mismatch(name, k);
        }
      }
    },
  };
}

const PEERS: Impl[] = [
  peer('js-sdsl OrderedMap, tuple key', 'sdsl-tuple', true, () => new SdslQueue(tupleKey, compareTuples)),
  peer('sorted-btree BTree, tuple key', 'btree-tuple', true, () => new BTreeQueue(tupleKey, compareTuples)),
  peer('js-sdsl OrderedMap, packed key', 'sdsl-packed', true, () => new SdslQueue(packedKey)),
  peer('sorted-btree BTree, packed key', 'btree-packed', true, () => new BTreeQueue(packedKey)),
  peer('heap-js Heap, lazy delete', 'heap', false, () => new HeapQueue()),
];

/** ONLY=ours,sdsl-tuple,... restricts the run to some implementations (for experiments). */
const ONLY = process.env.ONLY?.split(',');
const IMPLS: Impl[] = [ours, ...PEERS].filter((i) => !ONLY || ONLY.includes(i.short));

// ---------------------------------------------------------------------------------------

function settle(): void {
  gc();
  gc();
}

/** Bytes per element of a freshly filled container, measured alone. */
function bytesPerElement(impl: Impl, w: Workload): { heap: number; buffers: number } {
  settle();
  const m0 = process.memoryUsage();
  const q = impl.fill(w);
  settle();
  const m1 = process.memoryUsage();
  if (q === undefined) throw new Error('unreachable');
  return {
    heap: (m1.heapUsed - m0.heapUsed) / w.n,
    buffers: (m1.arrayBuffers - m0.arrayBuffers) / w.n,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmtOps = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');

interface SizeResult {
  n: number;
  median: Map<Impl, number>;
  bytes: Map<Impl, number>;
}

function benchSize(n: number): SizeResult {
  const w = makeWorkload(n, OPS, SEED + n);
  const [push, pop, remove, get] = w.counts;
  console.log(
    `\n## n = ${fmtInt(n)}: fill ${fmtInt(n)}, then ${fmtInt(OPS)} ops ` +
      `(push ${fmtInt(push)}, pop ${fmtInt(pop)}, remove ${fmtInt(remove)}, get ${fmtInt(get)}), ` +
      `${ROUNDS} rounds\n`,
  );
  const opsPerSec = new Map<Impl, number[]>(IMPLS.map((i) => [i, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length]);
    const line: string[] = [];
    for (const impl of order) {
      settle();
      const q = impl.fill(w);
      const t0 = process.hrtime.bigint();
      impl.run(w, q);
      const ns = Number(process.hrtime.bigint() - t0);
      const rate = (OPS / ns) * 1e9;
      opsPerSec.get(impl)!.push(rate);
      line.push(`${impl.short} ${fmtOps(rate)}`);
    }
    console.log(`round ${round + 1}: ${line.join(', ')} ops/s`);
  }
  const mem = new Map<Impl, { heap: number; buffers: number }>();
  for (const impl of IMPLS) mem.set(impl, bytesPerElement(impl, w));

  const oursMedian = median(opsPerSec.get(ours)!);
  console.log('');
  console.log('| implementation | median ops/s | min..max ops/s | ours / this | bytes/elem (heap + buffers) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const impl of IMPLS) {
    const xs = opsPerSec.get(impl)!;
    const med = median(xs);
    const m = mem.get(impl)!;
    console.log(
      `| ${impl.name} | ${fmtOps(med)} | ${fmtOps(Math.min(...xs))}..${fmtOps(Math.max(...xs))} ` +
        `| ${impl === ours ? '1.00' : (oursMedian / med).toFixed(2)}x ` +
        `| ${(m.heap + m.buffers).toFixed(1)} (${m.heap.toFixed(1)} + ${m.buffers.toFixed(1)}) |`,
    );
  }
  return {
    n,
    median: new Map(IMPLS.map((i) => [i, median(opsPerSec.get(i)!)])),
    bytes: new Map(IMPLS.map((i) => [i, mem.get(i)!.heap + mem.get(i)!.buffers])),
  };
}

/** Ours against each ordered-map peer: throughput ratio (target >= 1.5x) and memory. */
function summary(results: SizeResult[]): void {
  if (!IMPLS.includes(ours)) return;
  console.log('\n## Summary: ours vs the ordered-map peers (target: >= 1.50x ops/s, <= bytes/elem)\n');
  console.log('| n | peer | ours / peer ops/s | >= 1.5x | ours vs peer bytes/elem | <= |');
  console.log('|---:|---|---:|:---:|---:|:---:|');
  for (const r of results) {
    for (const peer of IMPLS.filter((i) => i.orderedMap)) {
      const ratio = r.median.get(ours)! / r.median.get(peer)!;
      const mine = r.bytes.get(ours)!;
      const theirs = r.bytes.get(peer)!;
      console.log(
        `| ${fmtInt(r.n)} | ${peer.name} | ${ratio.toFixed(2)}x | ${ratio >= 1.5 ? 'yes' : 'NO'} ` +
          `| ${mine.toFixed(1)} vs ${theirs.toFixed(1)} | ${mine <= theirs ? 'yes' : 'NO'} |`,
      );
    }
  }
}

console.log(
  `# skiplist benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ` + `seed ${SEED}`,
);
// Warm-up: let the JIT compile every implementation before anything is timed.
{
  const w = makeWorkload(10_000, 200_000, SEED - 1);
  for (const impl of IMPLS) impl.run(w, impl.fill(w));
}
summary(SIZES.map(benchSize));

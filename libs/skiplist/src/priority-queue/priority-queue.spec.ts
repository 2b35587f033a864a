import { PRIORITY_MAX, PRIORITY_MIN, PriorityQueue, SEQ_LIMIT } from '../index.js';
import { seeded } from '../spec-helpers.js';

const drain = <T>(q: PriorityQueue<T>): string[] => {
  const ids: string[] = [];
  for (let e = q.popEntry(); e !== undefined; e = q.popEntry()) ids.push(e.id);
  return ids;
};

describe('PriorityQueue', () => {
  it('starts empty', () => {
    const q = new PriorityQueue<string>();
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
    expect(q.pop()).toBeUndefined();
    expect(q.peekLeast()).toBeUndefined();
    expect(q.popLeast()).toBeUndefined();
    expect(q.peekEntry()).toBeUndefined();
    expect(q.popLeastEntry()).toBeUndefined();
    expect(q.get('a')).toBeUndefined();
    expect(q.remove('a')).toBe(false);
    expect(q.rank('a')).toBe(-1);
    expect(q.at(0)).toBeUndefined();
    expect([...q]).toEqual([]);
    q.checkInvariants();
  });

  it('pops by priority (higher first), FIFO within a priority', () => {
    const q = new PriorityQueue<string>();
    q.push('a', 1, 'A');
    q.push('b', 5, 'B');
    q.push('c', 1, 'C');
    q.push('d', 5, 'D');
    q.push('e', -3, 'E');
    expect(q.peek()).toBe('B');
    expect(q.peekEntry()).toEqual({ id: 'b', priority: 5, seq: 1, item: 'B' });
    expect([...q.ids()]).toEqual(['b', 'd', 'a', 'c', 'e']);
    expect([...q.values()]).toEqual(['B', 'D', 'A', 'C', 'E']);
    expect(q.pop()).toBe('B');
    expect(drain(q)).toEqual(['d', 'a', 'c', 'e']);
    expect(q.size).toBe(0);
  });

  it('first write wins on a duplicate id', () => {
    const q = new PriorityQueue<string>();
    expect(q.push('x', 1, 'first')).toBe(true);
    expect(q.push('x', 9, 'second')).toBe(false);
    expect(q.size).toBe(1);
    expect(q.getEntry('x')).toEqual({ id: 'x', priority: 1, seq: 0, item: 'first' });
    // The refused push does not consume a seq.
    expect(q.nextSeq).toBe(1);
    q.checkInvariants();
  });

  it('update replaces priority and item but keeps the seq (age)', () => {
    const q = new PriorityQueue<string>();
    q.push('old', 1, 'o'); // seq 0
    q.push('mid', 2, 'm'); // seq 1
    q.push('new', 2, 'n'); // seq 2
    expect(q.update('old', 2, 'o2')).toBe(true);
    // 'old' now has priority 2 and, being the oldest, goes first within it.
    expect([...q.ids()]).toEqual(['old', 'mid', 'new']);
    expect(q.getEntry('old')).toEqual({ id: 'old', priority: 2, seq: 0, item: 'o2' });
    expect(q.update('new', 2, 'n2')).toBe(true); // same priority: item only
    expect(q.get('new')).toBe('n2');
    expect(q.update('missing', 1, 'x')).toBe(false);
    expect(q.has('missing')).toBe(false);
    expect(q.update('mid', 0, 'm0')).toBe(true);
    expect([...q.ids()]).toEqual(['old', 'new', 'mid']);
    q.checkInvariants();
  });

  it('upsert inserts or updates', () => {
    const q = new PriorityQueue<number>();
    expect(q.upsert('a', 1, 1)).toBe(true);
    expect(q.upsert('a', 3, 2)).toBe(false);
    expect(q.getEntry('a')).toEqual({ id: 'a', priority: 3, seq: 0, item: 2 });
    expect(q.size).toBe(1);
  });

  it('least important is the oldest of the lowest priority', () => {
    const q = new PriorityQueue<string>();
    q.push('h1', 3, 'h1');
    q.push('l1', 0, 'l1');
    q.push('l2', 0, 'l2');
    q.push('m1', 1, 'm1');
    expect(q.peekLeast()).toBe('l1');
    expect(q.peekLeastEntry()?.id).toBe('l1');
    expect(q.popLeast()).toBe('l1');
    expect(q.popLeastEntry()?.id).toBe('l2');
    expect(q.popLeast()).toBe('m1');
    expect(q.popLeast()).toBe('h1');
    expect(q.popLeast()).toBeUndefined();
  });

  it('evicts from a bounded queue', () => {
    const bound = 3;
    const q = new PriorityQueue<string>();
    const offer = (id: string, priority: number): void => {
      if (q.size >= bound) {
        const least = q.peekLeastEntry()!;
        if (least.priority >= priority) return; // the newcomer is the least important
        q.popLeast();
      }
      q.push(id, priority, id);
    };
    offer('a', 1);
    offer('b', 2);
    offer('c', 1);
    offer('d', 3); // evicts a (oldest of priority 1)
    offer('e', 1); // dropped
    expect([...q.ids()]).toEqual(['d', 'b', 'c']);
  });

  it('accepts explicit seqs (rebuild from storage) and continues after the highest', () => {
    const q = new PriorityQueue<string>();
    // Stored rows, in any order.
    q.push('r3', 1, 'r3', 30);
    q.push('r1', 1, 'r1', 10);
    q.push('r2', 2, 'r2', 20);
    expect(q.nextSeq).toBe(31);
    q.push('fresh', 1, 'fresh');
    expect(q.getEntry('fresh')?.seq).toBe(31);
    expect([...q.ids()]).toEqual(['r2', 'r1', 'r3', 'fresh']);
    // (priority, seq) must be unique: same seq in another priority is fine, not in the same.
    expect(q.push('dupSeqOtherPriority', 2, 'x', 10)).toBe(true);
    expect(() => q.push('dupSeq', 1, 'x', 10)).toThrow(/already used by id r1/);
    expect(q.has('dupSeq')).toBe(false);
    // update into a taken (priority, seq) is refused and changes nothing
    expect(() => q.update('r1', 2, 'x')).toThrow(RangeError);
    expect(q.getEntry('r1')).toEqual({ id: 'r1', priority: 1, seq: 10, item: 'r1' });
    q.checkInvariants();
  });

  it('reserve sizes the pool once for what is coming; pushing that much does not grow it, more still can', () => {
    const q = new PriorityQueue<number>();
    const core = (q as unknown as { core: { capacity: number; ti: Int32Array } }).core;
    q.reserve(10_000);
    const capacity = core.capacity;
    const towers = core.ti;
    expect(capacity).toBeGreaterThanOrEqual(10_000);
    for (let i = 0; i < 10_000; i++) q.push(`r${i}`, i % 4, i, i);
    expect(core.capacity).toBe(capacity);
    expect(core.ti).toBe(towers);
    q.checkInvariants();
    for (let i = 10_000; i < 12_000; i++) q.push(`r${i}`, i % 4, i, i);
    expect(core.capacity).toBeGreaterThan(capacity);
    expect(q.size).toBe(12_000);
    expect(q.pop()).toBe(3); // the oldest of the highest priority (3): r3's item
    q.checkInvariants();
  });

  it('reserve never shrinks and ignores nonsense', () => {
    const q = new PriorityQueue<number>();
    q.reserve(1000);
    const core = (q as unknown as { core: { capacity: number } }).core;
    const capacity = core.capacity;
    for (const entries of [10, 0, -5, Number.NaN]) q.reserve(entries);
    expect(core.capacity).toBe(capacity);
    q.push('a', 1, 1);
    expect([...q.ids()]).toEqual(['a']);
  });

  it('validates priority and seq', () => {
    const q = new PriorityQueue<string>();
    for (const p of [1.5, NaN, Infinity, PRIORITY_MAX + 1, PRIORITY_MIN - 1]) {
      expect(() => q.push('a', p, 'a')).toThrow(RangeError);
    }
    for (const s of [-1, 0.5, SEQ_LIMIT, NaN]) {
      expect(() => q.push('a', 0, 'a', s)).toThrow(RangeError);
    }
    expect(q.size).toBe(0);
    q.push('max', PRIORITY_MAX, 'max', SEQ_LIMIT - 1);
    q.push('min', PRIORITY_MIN, 'min', 0);
    q.push('zero', -0, 'zero', 0);
    expect([...q].map((e) => [e.id, e.priority, e.seq])).toEqual([
      ['max', PRIORITY_MAX, SEQ_LIMIT - 1],
      ['zero', 0, 0],
      ['min', PRIORITY_MIN, 0],
    ]);
    expect(() => q.push('late', 0, 'late')).toThrow(/exhausted/);
    expect(() => q.update('max', 0.5, 'x')).toThrow(RangeError);
    q.checkInvariants();
  });

  it('remove, get, has, rank and at', () => {
    const q = new PriorityQueue<number>({ random: seeded(1) });
    const expected: { id: string; priority: number; seq: number }[] = [];
    const random = seeded(2);
    for (let i = 0; i < 3000; i++) {
      const priority = Math.floor(random() * 5);
      q.push(`id${i}`, priority, i);
      expected.push({ id: `id${i}`, priority, seq: i });
    }
    for (let i = 0; i < 3000; i += 3) expect(q.remove(`id${i}`)).toBe(true);
    expect(q.remove('id0')).toBe(false);
    const live = expected.filter((_, i) => i % 3 !== 0).sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    expect(q.size).toBe(live.length);
    q.checkInvariants();
    live.forEach((e, i) => {
      expect(q.rank(e.id)).toBe(i);
      expect(q.at(i)?.id).toBe(e.id);
      expect(q.get(e.id)).toBe(e.seq);
      expect(q.has(e.id)).toBe(true);
    });
    expect(q.at(-1)?.id).toBe(live.at(-1)?.id);
    expect(q.at(live.length)).toBeUndefined();
    expect([...q.ids()]).toEqual(live.map((e) => e.id));
    for (const from of [0, 1, 999, 1000, live.length - 1, live.length, live.length + 5]) {
      expect([...q.entries(from)].map((e) => e.id)).toEqual(live.slice(from).map((e) => e.id));
    }
  });

  it('clear empties the queue but keeps counting seqs', () => {
    const q = new PriorityQueue<number>();
    for (let i = 0; i < 50; i++) q.push(`k${i}`, i % 3, i);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.has('k1')).toBe(false);
    q.push('k1', 0, 1);
    expect(q.getEntry('k1')?.seq).toBe(50);
    q.checkInvariants();
  });

  it('throws if modified during iteration', () => {
    const q = new PriorityQueue<number>();
    q.push('a', 1, 1);
    q.push('b', 2, 2);
    expect(() => {
      for (const e of q) q.remove(e.id);
    }).toThrow(/modified during iteration/);
  });

  it('survives many priorities coming and going (lanes are recycled)', () => {
    const q = new PriorityQueue<number>({ random: seeded(3) });
    const random = seeded(4);
    let n = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 20; i++) q.push(`r${n++}`, Math.floor(random() * 60) - 30, i);
      for (let i = 0; i < 15; i++) {
        if (random() < 0.5) q.pop();
        else q.popLeast();
      }
      if (round % 20 === 0) q.checkInvariants();
    }
    q.checkInvariants();
    let prev: { priority: number; seq: number } | undefined;
    for (const e of q) {
      if (prev) expect(prev.priority > e.priority || prev.seq < e.seq).toBe(true);
      prev = e;
    }
  });
});

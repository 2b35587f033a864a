import { MAX_LEVEL, SkipList } from '../index.js';
import type { SkipCore } from '../core/skip-core.js';
import { seeded } from '../spec-helpers.js';

function shuffled(n: number, random: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('SkipList', () => {
  it('starts empty', () => {
    const list = new SkipList<number, string>();
    expect(list.size).toBe(0);
    expect(list.first()).toBeUndefined();
    expect(list.last()).toBeUndefined();
    expect(list.shift()).toBeUndefined();
    expect(list.pop()).toBeUndefined();
    expect(list.get(1)).toBeUndefined();
    expect(list.has(1)).toBe(false);
    expect(list.delete(1)).toBe(false);
    expect(list.rank(1)).toBe(-1);
    expect(list.countLess(1)).toBe(0);
    expect(list.at(0)).toBeUndefined();
    expect([...list]).toEqual([]);
    list.checkInvariants();
  });

  it('keeps entries ordered and supports point operations', () => {
    const list = new SkipList<number, string>({ random: seeded(1) });
    for (const k of [5, 1, 9, 3, 7]) list.set(k, `v${k}`);
    expect([...list.keys()]).toEqual([1, 3, 5, 7, 9]);
    expect(list.size).toBe(5);
    expect(list.get(7)).toBe('v7');
    expect(list.has(4)).toBe(false);
    list.set(7, 'seven');
    expect(list.size).toBe(5);
    expect(list.get(7)).toBe('seven');
    expect(list.first()).toEqual([1, 'v1']);
    expect(list.last()).toEqual([9, 'v9']);
    expect(list.delete(3)).toBe(true);
    expect(list.delete(3)).toBe(false);
    expect([...list.entries()]).toEqual([
      [1, 'v1'],
      [5, 'v5'],
      [7, 'seven'],
      [9, 'v9'],
    ]);
    list.checkInvariants();
  });

  it('shift and pop remove the ends', () => {
    const list = new SkipList<number, number>({ random: seeded(2) });
    for (let i = 0; i < 100; i++) list.set(i, i * i);
    expect(list.shift()).toEqual([0, 0]);
    expect(list.pop()).toEqual([99, 99 * 99]);
    expect(list.first()).toEqual([1, 1]);
    expect(list.last()).toEqual([98, 98 * 98]);
    expect(list.size).toBe(98);
    list.checkInvariants();
    while (list.size > 0) list.shift();
    expect(list.last()).toBeUndefined();
    list.checkInvariants();
  });

  it('rank, countLess and at agree with a sorted array', () => {
    const random = seeded(3);
    const list = new SkipList<number, number>({ random });
    const keys = shuffled(2000, random).map((k) => k * 2);
    for (const k of keys) list.set(k, -k);
    for (let i = 0; i < 600; i++) list.delete(keys[i]);
    const sorted = keys.slice(600).sort((a, b) => a - b);
    list.checkInvariants();
    expect(list.size).toBe(sorted.length);
    sorted.forEach((k, i) => {
      expect(list.rank(k)).toBe(i);
      expect(list.at(i)).toEqual([k, -k]);
      expect(list.countLess(k + 1)).toBe(i + 1);
    });
    expect(list.rank(1)).toBe(-1);
    expect(list.at(-1)).toEqual([sorted.at(-1), -sorted.at(-1)!]);
    expect(list.at(-sorted.length)).toEqual([sorted[0], -sorted[0]]);
    expect(list.at(sorted.length)).toBeUndefined();
    expect(list.at(-sorted.length - 1)).toBeUndefined();
  });

  it('iterates from a lower bound', () => {
    const list = new SkipList<number, string>();
    for (const k of [10, 20, 30, 40]) list.set(k, String(k));
    expect([...list.keys(20)]).toEqual([20, 30, 40]);
    expect([...list.keys(21)]).toEqual([30, 40]);
    expect([...list.values(41)]).toEqual([]);
    expect([...list.entries(-5)].map(([k]) => k)).toEqual([10, 20, 30, 40]);
  });

  it('uses a custom comparator, including composite keys', () => {
    type Key = [priority: number, seq: number];
    const list = new SkipList<Key, string>({
      compare: (a, b) => b[0] - a[0] || a[1] - b[1],
    });
    list.set([1, 2], 'b');
    list.set([3, 5], 'a');
    list.set([1, 1], 'c');
    expect([...list.values()]).toEqual(['a', 'c', 'b']);
    expect(list.get([1, 1])).toBe('c');
    expect(list.rank([1, 2])).toBe(2);

    const words = new SkipList<string, number>({ compare: (a, b) => b.localeCompare(a) });
    for (const w of ['pear', 'apple', 'fig']) words.set(w, w.length);
    expect([...words.keys()]).toEqual(['pear', 'fig', 'apple']);
    words.checkInvariants();
  });

  it('appends keys given in ascending order without searching', () => {
    const list = new SkipList<number, number>({ random: seeded(4) });
    for (let i = 0; i < 5000; i++) list.set(i, i);
    list.checkInvariants();
    expect(list.at(2500)).toEqual([2500, 2500]);
    expect(list.rank(4999)).toBe(4999);
  });

  it('is deterministic given the same random source', () => {
    const shape = (seed: number): number[] => {
      const list = new SkipList<number, number>({ random: seeded(seed) });
      for (const k of shuffled(300, seeded(99))) list.set(k, k);
      const core = (list as unknown as { core: SkipCore }).core;
      return Array.from(core.ti.subarray(0, 2000));
    };
    expect(shape(7)).toEqual(shape(7));
    expect(shape(7)).not.toEqual(shape(8));
  });

  it('works as a plain linked list with maxLevel 1 and with always-tall towers', () => {
    for (const options of [{ maxLevel: 1 }, { maxLevel: MAX_LEVEL, random: () => 0 }]) {
      const list = new SkipList<number, number>(options);
      for (const k of shuffled(200, seeded(5))) list.set(k, k);
      list.checkInvariants();
      expect(list.at(123)).toEqual([123, 123]);
      for (let k = 0; k < 200; k += 2) list.delete(k);
      list.checkInvariants();
      expect(list.rank(101)).toBe(50);
    }
  });

  it('rejects an invalid maxLevel', () => {
    expect(() => new SkipList({ maxLevel: 0 })).toThrow(RangeError);
    expect(() => new SkipList({ maxLevel: 33 })).toThrow(RangeError);
    expect(() => new SkipList({ maxLevel: 2.5 })).toThrow(RangeError);
  });

  it('throws if modified during iteration', () => {
    const list = new SkipList<number, number>();
    for (let i = 0; i < 5; i++) list.set(i, i);
    expect(() => {
      for (const [k] of list) list.delete(k);
    }).toThrow(/modified during iteration/);
    // Replacing a value is not a structural change.
    for (const [k] of list) list.set(k, 0);
  });

  it('clear empties the list and it stays usable', () => {
    const list = new SkipList<number, number>();
    for (let i = 0; i < 100; i++) list.set(i, i);
    list.clear();
    expect(list.size).toBe(0);
    expect([...list]).toEqual([]);
    list.set(1, 1);
    expect([...list]).toEqual([[1, 1]]);
    list.checkInvariants();
  });

  it('reuses freed nodes', () => {
    const list = new SkipList<number, number>({ random: seeded(6) });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) list.set(round * 1000 + i, i);
      for (let i = 0; i < 500; i++) list.shift();
    }
    const core = (list as unknown as { core: SkipCore }).core;
    expect(core.capacity).toBeLessThan(1000);
    list.checkInvariants();
  });

  it('checkInvariants detects corruption', () => {
    const list = new SkipList<number, number>({ random: seeded(7) });
    for (let i = 0; i < 200; i++) list.set(i, i);
    const core = (list as unknown as { core: SkipCore }).core;
    // Break one span at level 1 of the header tower (generic lists: link L at b + 2L - 1).
    const hb = 0;
    core.ti[hb + 2] += 1;
    expect(() => list.checkInvariants()).toThrow(/span/);
    core.ti[hb + 2] -= 1;
    list.checkInvariants();
    // Break a backward link (records are [next, prev] per node).
    const second = core.next(core.next(0));
    core.rec[2 * second + 1] = 0;
    expect(() => list.checkInvariants()).toThrow(/backward link/);
    core.rec[2 * second + 1] = core.next(0);
    list.checkInvariants();
    // Break the order.
    (list as unknown as { ks: number[] }).ks[core.next(core.next(0))] = -1;
    expect(() => list.checkInvariants()).toThrow(/ordered/);
  });
});

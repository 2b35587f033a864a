import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { SkipList } from '../index.js';
import { PROPERTY_RUNS, runModelSequences } from '../spec-helpers.js';

/**
 * Model-based property test: random sequences of every SkipList operation run against a
 * sorted array; after each step the results, the full order, rank/at for every element
 * and the structural invariants (checkInvariants) are verified.
 */

type Op =
  | { op: 'set'; key: number; value: number }
  | {
      op: 'get' | 'has' | 'delete' | 'rank' | 'countLess' | 'entriesFrom' | 'keysFrom';
      key: number;
    }
  | { op: 'first' | 'last' | 'shift' | 'pop' | 'entries' | 'values' | 'clear' }
  | { op: 'at'; index: number };

const key = fc.integer({ min: -20, max: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
  },
  { weight: 12, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'get' as const,
        'has' as const,
        'rank' as const,
        'countLess' as const,
        'entriesFrom' as const,
        'keysFrom' as const,
      ),
      key,
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'first' as const,
        'last' as const,
        'shift' as const,
        'pop' as const,
        'entries' as const,
        'values' as const,
      ),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('at' as const),
      index: fc.integer({ min: -50, max: 70 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

/** Index of the first model entry with key >= k. */
function lowerBound(model: [number, number][], k: number): number {
  let lo = 0;
  let hi = model.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (model[mid][0] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function step(list: SkipList<number, number>, model: [number, number][], o: Op): void {
  switch (o.op) {
    case 'set': {
      const i = lowerBound(model, o.key);
      if (i < model.length && model[i][0] === o.key) model[i][1] = o.value;
      else model.splice(i, 0, [o.key, o.value]);
      strictEqual(list.set(o.key, o.value), list);
      break;
    }
    case 'delete': {
      const i = lowerBound(model, o.key);
      const present = i < model.length && model[i][0] === o.key;
      if (present) model.splice(i, 1);
      strictEqual(list.delete(o.key), present);
      break;
    }
    case 'get':
    case 'has':
    case 'rank': {
      const i = lowerBound(model, o.key);
      const present = i < model.length && model[i][0] === o.key;
      if (o.op === 'get') strictEqual(list.get(o.key), present ? model[i][1] : undefined);
      if (o.op === 'has') strictEqual(list.has(o.key), present);
      if (o.op === 'rank') strictEqual(list.rank(o.key), present ? i : -1);
      break;
    }
    case 'countLess':
      strictEqual(list.countLess(o.key), lowerBound(model, o.key));
      break;
    case 'entriesFrom':
      deepStrictEqual([...list.entries(o.key)], model.slice(lowerBound(model, o.key)));
      break;
    case 'keysFrom':
      deepStrictEqual(
        [...list.keys(o.key)],
        model.slice(lowerBound(model, o.key)).map(([k]) => k),
      );
      break;
    case 'first':
      deepStrictEqual(list.first(), model[0]);
      break;
    case 'last':
      deepStrictEqual(list.last(), model.at(-1));
      break;
    case 'shift':
      deepStrictEqual(list.shift(), model.shift());
      break;
    case 'pop':
      deepStrictEqual(list.pop(), model.pop());
      break;
    case 'entries':
      deepStrictEqual([...list], model);
      break;
    case 'values':
      deepStrictEqual(
        [...list.values()],
        model.map(([, v]) => v),
      );
      break;
    case 'at':
      deepStrictEqual(list.at(o.index), model.at(o.index));
      break;
    case 'clear':
      model.length = 0;
      list.clear();
      break;
  }
}

function verify(list: SkipList<number, number>, model: [number, number][]): void {
  list.checkInvariants();
  strictEqual(list.size, model.length);
  deepStrictEqual([...list.entries()], model);
  for (let i = 0; i < model.length; i++) {
    strictEqual(list.rank(model[i][0]), i);
    deepStrictEqual(list.at(i), model[i]);
    deepStrictEqual(list.at(i - model.length), model[i]);
  }
  deepStrictEqual(list.first(), model[0]);
  deepStrictEqual(list.last(), model.at(-1));
}

describe('SkipList (property-based, against a sorted array)', () => {
  it(`matches the model over ${PROPERTY_RUNS} random operation sequences`, () => {
    const steps = runModelSequences(opArb, (options) => {
      const list = new SkipList<number, number>(options);
      const model: [number, number][] = [];
      return (o) => {
        step(list, model, o);
        verify(list, model);
      };
    });
    expect(steps).toBeGreaterThan(PROPERTY_RUNS);
  });
});

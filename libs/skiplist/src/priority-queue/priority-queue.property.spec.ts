import { deepStrictEqual, strictEqual, throws } from 'node:assert/strict';
import fc from 'fast-check';
import { PRIORITY_MAX, PRIORITY_MIN, PriorityQueue, type PriorityQueueEntry } from '../index.js';
import { PROPERTY_RUNS, runModelSequences } from '../spec-helpers.js';

/**
 * Model-based property test: random sequences of every PriorityQueue operation run
 * against a plain array kept in drain order (priority desc, seq asc); after each step the
 * results, the full drain order, rank/at for every entry, size, nextSeq and the
 * structural invariants (checkInvariants) are verified.
 */

type Entry = PriorityQueueEntry<number>;

type Op =
  | { op: 'push'; id: string; priority: number; seq: number | undefined }
  | { op: 'update' | 'upsert'; id: string; priority: number }
  | { op: 'get' | 'getEntry' | 'has' | 'remove' | 'rank'; id: string }
  | {
      op:
        | 'pop'
        | 'popEntry'
        | 'peek'
        | 'peekEntry'
        | 'popLeast'
        | 'popLeastEntry'
        | 'peekLeast'
        | 'peekLeastEntry'
        | 'entries'
        | 'clear';
    }
  | { op: 'at'; index: number }
  | { op: 'entriesFrom'; index: number };

const id = fc.integer({ min: 0, max: 39 }).map((n) => `id${n}`);
const priority = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(PRIORITY_MIN, PRIORITY_MAX) },
);
const seq = fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined, freq: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ op: fc.constant('push' as const), id, priority, seq }) },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constantFrom('update' as const, 'upsert' as const),
      id,
      priority,
    }),
  },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('remove' as const), id }) },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constantFrom('get' as const, 'getEntry' as const, 'has' as const, 'rank' as const),
      id,
    }),
  },
  {
    weight: 16,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'pop' as const,
        'popEntry' as const,
        'peek' as const,
        'peekEntry' as const,
        'popLeast' as const,
        'popLeastEntry' as const,
        'peekLeast' as const,
        'peekLeastEntry' as const,
        'entries' as const,
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('at' as const),
      index: fc.integer({ min: -45, max: 45 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('entriesFrom' as const),
      index: fc.integer({ min: -5, max: 45 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

class Model {
  /** Entries in drain order. */
  entries: Entry[] = [];
  nextSeq = 0;

  private sort(): void {
    this.entries.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
  }
  find(id: string): Entry | undefined {
    return this.entries.find((e) => e.id === id);
  }
  taken(priority: number, seq: number, except?: Entry): boolean {
    return this.entries.some((e) => e !== except && e.priority === priority && e.seq === seq);
  }
  /** Index of the least important entry: lowest priority, then oldest. */
  leastIndex(): number {
    let best = -1;
    this.entries.forEach((e, i) => {
      const b = this.entries[best];
      if (best < 0 || e.priority < b.priority || (e.priority === b.priority && e.seq < b.seq)) {
        best = i;
      }
    });
    return best;
  }
  add(e: Entry): void {
    this.entries.push(e);
    this.sort();
    if (e.seq >= this.nextSeq) this.nextSeq = e.seq + 1;
  }
  reprioritize(e: Entry, priority: number, item: number): void {
    e.priority = priority;
    e.item = item;
    this.sort();
  }
}

function step(q: PriorityQueue<number>, m: Model, o: Op, item: number): void {
  const copy = (e: Entry | undefined): Entry | undefined => (e ? { ...e } : undefined);
  switch (o.op) {
    case 'push': {
      const s = o.seq ?? m.nextSeq;
      if (m.find(o.id)) {
        strictEqual(q.push(o.id, o.priority, item, o.seq), false);
      } else if (m.taken(o.priority, s)) {
        throws(() => q.push(o.id, o.priority, item, o.seq), RangeError);
      } else {
        strictEqual(q.push(o.id, o.priority, item, o.seq), true);
        m.add({ id: o.id, priority: o.priority, seq: s, item });
      }
      break;
    }
    case 'update':
    case 'upsert': {
      const e = m.find(o.id);
      if (e === undefined) {
        if (o.op === 'update') {
          strictEqual(q.update(o.id, o.priority, item), false);
        } else {
          strictEqual(q.upsert(o.id, o.priority, item), true);
          m.add({ id: o.id, priority: o.priority, seq: m.nextSeq, item });
        }
      } else if (e.priority !== o.priority && m.taken(o.priority, e.seq, e)) {
        throws(() => q[o.op](o.id, o.priority, item), RangeError);
      } else {
        strictEqual(q[o.op](o.id, o.priority, item), o.op === 'update');
        m.reprioritize(e, o.priority, item);
      }
      break;
    }
    case 'get':
      strictEqual(q.get(o.id), m.find(o.id)?.item);
      break;
    case 'getEntry':
      deepStrictEqual(q.getEntry(o.id), copy(m.find(o.id)));
      break;
    case 'has':
      strictEqual(q.has(o.id), m.find(o.id) !== undefined);
      break;
    case 'rank':
      strictEqual(
        q.rank(o.id),
        m.entries.findIndex((e) => e.id === o.id),
      );
      break;
    case 'remove': {
      const i = m.entries.findIndex((e) => e.id === o.id);
      if (i >= 0) m.entries.splice(i, 1);
      strictEqual(q.remove(o.id), i >= 0);
      break;
    }
    case 'peek':
      strictEqual(q.peek(), m.entries[0]?.item);
      break;
    case 'peekEntry':
      deepStrictEqual(q.peekEntry(), copy(m.entries[0]));
      break;
    case 'pop':
      strictEqual(q.pop(), m.entries.shift()?.item);
      break;
    case 'popEntry':
      deepStrictEqual(q.popEntry(), copy(m.entries.shift()));
      break;
    case 'peekLeast':
      strictEqual(q.peekLeast(), m.entries[m.leastIndex()]?.item);
      break;
    case 'peekLeastEntry':
      deepStrictEqual(q.peekLeastEntry(), copy(m.entries[m.leastIndex()]));
      break;
    case 'popLeast':
    case 'popLeastEntry': {
      const i = m.leastIndex();
      const e = i >= 0 ? m.entries.splice(i, 1)[0] : undefined;
      if (o.op === 'popLeast') strictEqual(q.popLeast(), e?.item);
      else deepStrictEqual(q.popLeastEntry(), copy(e));
      break;
    }
    case 'entries':
      deepStrictEqual([...q], m.entries.map(copy));
      break;
    case 'at':
      deepStrictEqual(q.at(o.index), copy(m.entries.at(o.index)));
      break;
    case 'entriesFrom':
      // A page starting at position index (negative = from the start), as the agent's queue API reads it.
      deepStrictEqual([...q.entries(o.index)], m.entries.slice(Math.max(0, o.index)).map(copy));
      break;
    case 'clear':
      q.clear();
      m.entries = [];
      break;
  }
}

function verify(q: PriorityQueue<number>, m: Model): void {
  q.checkInvariants();
  strictEqual(q.size, m.entries.length);
  strictEqual(q.nextSeq, m.nextSeq);
  deepStrictEqual(
    [...q.entries()],
    m.entries.map((e) => ({ ...e })),
  );
  deepStrictEqual(
    [...q.ids()],
    m.entries.map((e) => e.id),
  );
  m.entries.forEach((e, i) => {
    strictEqual(q.rank(e.id), i);
    strictEqual(q.at(i)?.id, e.id);
    strictEqual(q.get(e.id), e.item);
  });
}

describe('PriorityQueue (property-based, against a sorted array)', () => {
  it(`matches the model over ${PROPERTY_RUNS} random operation sequences`, () => {
    const steps = runModelSequences(opArb, (options) => {
      const q = new PriorityQueue<number>(options);
      const m = new Model();
      return (o, item) => {
        step(q, m, o, item);
        verify(q, m);
      };
    });
    expect(steps).toBeGreaterThan(PROPERTY_RUNS);
  });
});

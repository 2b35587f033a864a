// Shared by the SkipList and PriorityQueue specs: a seeded random source, and the
// model-based property run that drives either structure through random operations.
import fc from 'fast-check';
import type { SkipListOptions } from './core/skip-pool.js';

/** Operation sequences each property spec checks against its model. */
export const PROPERTY_RUNS = 1000;

/** mulberry32: small seeded PRNG in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const structureArb = fc.record({
  seed: fc.integer(),
  maxLevel: fc.constantFrom(1, 2, 3, 32),
  // Skew the level draws towards tall towers so small lists still use many levels.
  tall: fc.boolean(),
});

/**
 * Runs PROPERTY_RUNS random sequences of `opArb`: for each, `start` builds a fresh
 * structure with drawn options (seed, maxLevel, tall towers or not) and its model, and
 * returns the step that applies one operation to both and verifies them. Returns the
 * number of steps taken.
 */
export function runModelSequences<Op>(
  opArb: fc.Arbitrary<Op>,
  start: (options: SkipListOptions) => (op: Op, index: number) => void,
): number {
  let steps = 0;
  fc.assert(
    fc.property(structureArb, fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }), (opts, ops) => {
      const prng = seeded(opts.seed);
      const random = opts.tall ? () => prng() ** 4 : prng;
      const apply = start({ random, maxLevel: opts.maxLevel });
      ops.forEach((op, index) => {
        apply(op, index);
        steps++;
      });
    }),
    { numRuns: PROPERTY_RUNS },
  );
  return steps;
}

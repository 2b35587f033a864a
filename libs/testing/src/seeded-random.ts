/** A pseudo-random source that replays the same sequence for the same seed. */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/**
 * mulberry32: small, fast and good enough to pick test inputs. Print the seed
 * so a failing run can be replayed.
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed: seed >>> 0,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/**
 * The seed from environment variable `name` (decimal) when set, so a printed
 * seed can be replayed; otherwise a fresh one.
 */
export function seedFromEnv(name: string): number {
  const text = process.env[name];
  if (text !== undefined && text !== '') {
    if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw new Error(`${name}=${text}: not a 32-bit seed`);
    return Number(text);
  }
  return Math.floor(Math.random() * 0x100000000);
}

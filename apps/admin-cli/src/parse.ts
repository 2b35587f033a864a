import { InvalidArgumentError } from 'commander';

/** Collects repeated `key=value` flags into an object; a repeated key: the last wins. */
export function collectPair(pair: string, previous: Record<string, string> | undefined): Record<string, string> {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError('Expected key=value with a non-empty key.');
  return { ...previous, [pair.slice(0, equals)]: pair.slice(equals + 1) };
}

/** Collects a repeated flag into a list. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  if (value.trim() === '') throw new InvalidArgumentError('Must not be empty.');
  return [...(previous ?? []), value];
}

/** A name from `names`, in any case, as the API spells it. */
export function oneOf<N extends string>(names: readonly N[]): (value: string) => N {
  return (value) => {
    const name = names.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
    if (!name) throw new InvalidArgumentError(`Use one of ${names.map((n) => n.toLowerCase()).join(', ')} (any case).`);
    return name;
  };
}

/** Like collectList, each value one of `names`. */
export function collectOneOf<N extends string>(names: readonly N[]): (value: string, previous: N[] | undefined) => N[] {
  const parse = oneOf(names);
  return (value, previous) => [...(previous ?? []), parse(value)];
}

/** A whole number in [min, max]. */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;

/** "90s", "15m", "1h30m", "7d" as milliseconds; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(amount) * UNIT_MS[unit];
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * A point in time for --since/--until: an RFC 3339 time (passed on for the
 * gateway to check) or a duration meaning that long ago ("1h": an hour ago).
 */
export function pointInTime(now: () => number): (value: string) => string {
  return (value) => {
    const ago = durationMs(value);
    if (ago !== undefined) return new Date(now() - ago).toISOString();
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}/.test(value.trim())) return value.trim();
    throw new InvalidArgumentError('Expected an RFC 3339 time (2030-01-31T12:00:00Z) or a duration ago (30m, 2h, 7d).');
  };
}

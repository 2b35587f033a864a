import { InvalidArgumentError } from 'commander';
import { durationMs, oneOf, pointInTime } from './parse.js';

describe('parse', () => {
  it('durationMs reads Go-style durations, nothing else', () => {
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs('7d')).toBe(604_800_000);
    expect(durationMs('200ms')).toBe(200);
    for (const bad of ['', '1', 'h', '1y', '-1h', '1.5h', '1h ago']) expect(durationMs(bad)).toBeUndefined();
  });

  it('pointInTime: a duration ago, or an RFC 3339 time passed on; anything else refused', () => {
    const parse = pointInTime(() => Date.parse('2030-01-31T12:00:00Z'));
    expect(parse('1h')).toBe('2030-01-31T11:00:00.000Z');
    expect(parse('2030-01-01T00:00:00+01:00')).toBe('2030-01-01T00:00:00+01:00');
    expect(() => parse('yesterday')).toThrow(InvalidArgumentError);
  });

  it('oneOf takes any case and gives the API spelling', () => {
    expect(oneOf(['Info', 'Critical'])('CRITICAL')).toBe('Critical');
    expect(() => oneOf(['Info'])('loud')).toThrow('Use one of info (any case).');
  });
});

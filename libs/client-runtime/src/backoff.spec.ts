import { seededRandom } from '@app/testing';
import { backoffDelay } from './backoff.js';

const policy = { initialMs: 500, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles per attempt: the delay lies in [ceiling/2, ceiling]', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(250);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(500);
    expect(backoffDelay(2, policy, () => 0)).toBe(500);
    expect(backoffDelay(3, policy, () => 0)).toBe(1000);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(3000);
  });

  it('never exceeds maxMs, however many attempts, and never drops below half of it once capped', () => {
    for (const attempt of [8, 9, 20, 100, 1_000_000]) {
      expect(backoffDelay(attempt, policy, () => 0.999999)).toBe(60_000);
      expect(backoffDelay(attempt, policy, () => 0)).toBe(30_000);
    }
  });

  it('stays within its bounds for random jitter (seeded)', () => {
    const random = seededRandom(7);
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, policy, () => random.next());
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('treats attempt 0 or less as the first', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(250);
    expect(backoffDelay(-3, policy, () => 0)).toBe(250);
  });

  it('respects tiny test settings', () => {
    expect(backoffDelay(10, { initialMs: 5, maxMs: 20 }, () => 0.999999)).toBe(20);
  });
});

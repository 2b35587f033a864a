import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 5_000 };

  it('doubles per failure, between half and all of the ceiling', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap, however many failures', () => {
    for (const failures of [7, 20, 1_000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelay(failures, policy, () => 1)).toBe(5_000);
      expect(backoffDelay(failures, policy, () => 0)).toBe(2_500);
    }
  });

  it('treats 0 failures like the first', () => {
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
  });
});

import { DEFAULT_RETRY_POLICY, DEFAULT_TIMEOUT_MS, resolveNotifierOptions } from './notifier-options.js';

describe('resolveNotifierOptions', () => {
  it('applies the defaults field by field', () => {
    expect(resolveNotifierOptions({ agentAddress: ' agent:9190 ', retry: { maxAttempts: 2 } })).toEqual({
      agentAddress: 'agent:9190',
      timeoutMs: DEFAULT_TIMEOUT_MS,
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 },
    });
  });

  it('accepts a budget of time only or of attempts only', () => {
    expect(() => resolveNotifierOptions({ agentAddress: 'a:1', retry: { maxAttempts: Infinity } })).not.toThrow();
    expect(() => resolveNotifierOptions({ agentAddress: 'a:1', retry: { maxElapsedMs: Infinity } })).not.toThrow();
  });

  it.each([
    [{ agentAddress: ' ' }, 'agentAddress is required'],
    [{ agentAddress: 'a:1', timeoutMs: 0 }, 'timeoutMs must be greater than 0'],
    [{ agentAddress: 'a:1', retry: { initialMs: 0 } }, 'retry.initialMs'],
    [{ agentAddress: 'a:1', retry: { initialMs: 500, maxMs: 100 } }, 'retry.maxMs (100)'],
    [{ agentAddress: 'a:1', retry: { maxAttempts: 0 } }, 'maxAttempts must be at least 1'],
    [{ agentAddress: 'a:1', retry: { maxElapsedMs: Number.NaN } }, 'retry.maxElapsedMs'],
    [{ agentAddress: 'a:1', retry: { maxAttempts: Infinity, maxElapsedMs: Infinity } }, 'needs a budget'],
  ])('refuses %j', (options, message) => {
    expect(() => resolveNotifierOptions(options)).toThrow(RangeError);
    expect(() => resolveNotifierOptions(options)).toThrow(message);
  });
});

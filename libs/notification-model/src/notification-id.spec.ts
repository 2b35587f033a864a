import { newNotificationId } from './notification-id.js';

describe('newNotificationId', () => {
  it('is a UUIDv7: version 7, RFC 4122 variant', () => {
    expect(newNotificationId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts in the order the ids were made, and never repeats', () => {
    const ids = Array.from({ length: 10_000 }, () => newNotificationId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time it was made', () => {
    const before = Date.now();
    const id = newNotificationId();
    const after = Date.now();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });
});

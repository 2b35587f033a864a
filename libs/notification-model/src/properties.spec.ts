import { NotificationProperty } from './properties.js';

describe('NotificationProperty', () => {
  it.each<[keyof typeof NotificationProperty, string]>([
    ['uuid', 'opni_uuid'],
    ['severity', 'opni_severity'],
    ['goldenSignal', 'opni_goldenSignal'],
    ['dedupeKey', 'opni_dedupe_key'],
    ['groupKey', 'opni_group_key'],
    ['clusterId', 'opni_clusterId'],
    ['occurrences', 'opni_occurrences'],
  ])('names %s with the wire key %s', (name, key) => {
    expect(NotificationProperty[name]).toBe(key);
  });

  it('has exactly the well-known keys, all distinct', () => {
    const keys = Object.values(NotificationProperty);

    expect(Object.keys(NotificationProperty)).toHaveLength(7);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(Object.values(NotificationProperty).map((key) => [key]))(
    'key %s is short ASCII with the opni_ prefix',
    (key) => {
      expect(key).toMatch(/^opni_[A-Za-z_]+$/);
      expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(256);
    },
  );
});

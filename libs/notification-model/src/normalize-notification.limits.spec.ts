import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import type { NotificationLimits } from './notification-limits.js';
import { normalizeNotification } from './normalize-notification.js';
import {
  badKey,
  BODY,
  DEFAULTS,
  emoji,
  euros,
  expectDecodesTo,
  fieldOf,
  invalidArgument,
  manyProperties,
  note,
  property,
  TITLE,
  tooLong,
  tooMany,
  withProperties,
} from './normalize-notification.spec-helpers.js';

describe('normalizeNotification honours custom limits', () => {
  const SMALL: NotificationLimits = {
    maxTitleBytes: 8,
    maxBodyBytes: 16,
    maxProperties: 4,
    maxPropertyKeyBytes: 20,
    maxPropertyValueBytes: 10,
  };
  const LARGE: NotificationLimits = {
    maxTitleBytes: 4096,
    maxBodyBytes: 1 << 20,
    maxProperties: 200,
    maxPropertyKeyBytes: 1024,
    maxPropertyValueBytes: 8192,
  };
  /** A notification that fits SMALL but for `properties`. */
  const small = (properties: Record<string, string>): alerting.Notification =>
    note({ title: 't', body: 'b', properties });

  // [label, message, error text, rejected under the defaults too]
  it.each<[label: string, message: alerting.Notification, error: string, always?: boolean]>([
    ['a 9-byte title', note({ title: 'a'.repeat(9), body: 'b' }), 'message.title: is 9 bytes; at most 8 are allowed'],
    ["a title of 3 '€' (9 bytes, 3 characters)", note({ title: euros(3), body: 'b' }), tooLong(TITLE, 9, 8)],
    ['a 17-byte body', note({ title: 't', body: 'b'.repeat(17) }), tooLong(BODY, 17, 16)],
    ['a body of 5 emoji (20 bytes, 10 UTF-16 units)', note({ title: 't', body: emoji(5) }), tooLong(BODY, 20, 16)],
    ['5 properties', small(manyProperties(5)), tooMany(5, 4)],
    ['a 21-byte key', small({ ['k'.repeat(21)]: 'v' }), badKey('k'.repeat(21), 20, 21)],
    ['an empty key', small({ '': 'v' }), 'message.properties: key "" must be 1 to 20 bytes (is 0)', true],
    ['an 11-byte value', small({ team: 'v'.repeat(11) }), tooLong(property('team'), 11, 10)],
    ["a value of 4 '€' (12 bytes)", small({ team: euros(4) }), tooLong(property('team'), 12, 10)],
  ])('rejects %s', (_label, message, expected, always = false) => {
    const error = invalidArgument(() => normalizeNotification(message, SMALL));

    expect(error.field).toBe(fieldOf(expected));
    expect(error.message).toBe(expected);
    // Only the small limits reject it (an empty key is rejected under any limits).
    if (always) expect(() => normalizeNotification(message, DEFAULTS)).toThrow(InvalidArgumentError);
    else expect(() => normalizeNotification(message, DEFAULTS)).not.toThrow();
  });

  it.each<[label: string, message: alerting.Notification]>([
    ['an 8-byte title', note({ title: 'a'.repeat(8), body: 'b' })],
    ["a title of 2 '€' and 2 ASCII (8 bytes)", note({ title: euros(2) + 'ab', body: 'b' })],
    ['a 16-byte body', note({ title: 't', body: 'b'.repeat(16) })],
    ['a body of 4 emoji (16 bytes)', note({ title: 't', body: emoji(4) })],
    ['4 properties', small(manyProperties(4))],
    ['a 20-byte key', small({ ['k'.repeat(20)]: 'v' })],
    ['a 10-byte value', small({ team: 'v'.repeat(10) })],
    [
      'well-known properties within the small limits',
      small({ opni_severity: 'critical', opni_goldenSignal: 'latency', opni_dedupe_key: 'k' }),
    ],
  ])('accepts %s', (_label, message) => {
    const result = normalizeNotification(message, SMALL);

    expect(result.notification.title).toBe(message.title);
    expect(result.notification.body).toBe(message.body);
    expectDecodesTo(result);
  });

  it.each<[label: string, message: alerting.Notification]>([
    ['a 4096-byte title', note({ title: 'a'.repeat(4096) })],
    ['a 1 MiB body', note({ body: 'b'.repeat(1 << 20) })],
    ['200 properties', withProperties(manyProperties(200))],
    ['a 1024-byte key', withProperties({ ['k'.repeat(1024)]: 'v' })],
    ['an 8192-byte value', withProperties({ team: 'v'.repeat(8192) })],
  ])('accepts %s under larger limits, which the defaults reject', (_label, message) => {
    expect(() => normalizeNotification(message, LARGE)).not.toThrow();
    expect(() => normalizeNotification(message, DEFAULTS)).toThrow(InvalidArgumentError);
  });

  it.each<[string, keyof NotificationLimits, alerting.Notification]>([
    ['maxTitleBytes', 'maxTitleBytes', note({ title: 'ab' })],
    ['maxBodyBytes', 'maxBodyBytes', note({ body: 'ab' })],
    ['maxProperties', 'maxProperties', withProperties({ a: '1', b: '2' })],
    ['maxPropertyKeyBytes', 'maxPropertyKeyBytes', withProperties({ ab: '1' })],
    ['maxPropertyValueBytes', 'maxPropertyValueBytes', withProperties({ a: '12' })],
  ])('applies %s = 1 (the smallest setting)', (_label, limit, message) => {
    expect(() => normalizeNotification(message, { ...LARGE, [limit]: 1 })).toThrow(InvalidArgumentError);
    expect(() => normalizeNotification(message, { ...LARGE, [limit]: 2 })).not.toThrow();
  });
});

describe('well-known properties and Unicode', () => {
  // The defaults (opni_severity, opni_goldenSignal) and the system's own keys do not count
  // against maxProperties, so the gateway accepts whatever the agent accepted.
  it('accepts its own output again under the same limits (idempotent)', () => {
    const once = normalizeNotification(note({ properties: manyProperties(64) }), DEFAULTS);

    expect(Object.keys(once.notification.properties)).toHaveLength(66);
    expect(normalizeNotification(once.notification, DEFAULTS)).toStrictEqual(once);
  });

  it('still counts every custom property', () => {
    expect(() => normalizeNotification(note({ properties: manyProperties(65) }), DEFAULTS)).toThrow(
      'message.properties: has 65 entries besides the well-known opni_* ones; at most 64 are allowed',
    );
  });

  it('does not apply the key length limit to the well-known keys', () => {
    const limits = { ...DEFAULTS, maxPropertyKeyBytes: 4 };

    const result = normalizeNotification(note({ properties: { opni_dedupe_key: 'k' } }), limits);

    expect(result.dedupeKey).toBe('k');
  });

  it.each([
    ['title', { title: 'disk \ud800 full' }, 'message.title'],
    ['body', { body: '\udc00' }, 'message.body'],
    ['property value', { properties: { k: 'a\ud800' } }, 'message.properties["k"]'],
    ['property key', { properties: { ['\ud800']: 'v' } }, 'message.properties'],
  ])('rejects a lone surrogate in the %s, which protobuf cannot carry', (_what, fields, field) => {
    expect(() => normalizeNotification(note(fields), DEFAULTS)).toThrow(
      expect.objectContaining({ field, message: `${field}: is not valid Unicode (lone surrogate)` }),
    );
  });
});

import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { encodeNotification, normalizeNotification, withProperty } from './normalize-notification.js';
import { DEFAULTS, emoji, euros, manyProperties, note } from './normalize-notification.spec-helpers.js';

describe('normalizeNotification encodes the result', () => {
  it.each<{ label: string; message: alerting.Notification }>([
    { label: 'a minimal notification', message: note({ title: 'a', body: 'b' }) },
    {
      label: 'canonicalised well-known properties',
      message: note({ properties: { opni_severity: 'critical', opni_goldenSignal: ' errors ', opni_dedupe_key: 'k' } }),
    },
    {
      label: 'multibyte text everywhere',
      message: note({ title: euros(341), body: emoji(100), properties: { 'ключ€': 'значение😀' } }),
    },
    { label: 'an empty property value', message: note({ properties: { empty: '' } }) },
    { label: 'every limit reached', message: note({ title: 'a'.repeat(1024), properties: manyProperties(62) }) },
  ])('so that `encoded` decodes back to the notification: $label', ({ message }) => {
    const result = normalizeNotification(message, DEFAULTS);

    expect(alerting.Notification.decode(result.encoded)).toStrictEqual(result.notification);
    expect(result.encoded).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(result.encoded)).toEqual(Buffer.from(encodeNotification(result.notification)));
  });

  it('encodes the defaults too (they are not implied on the wire)', () => {
    const decoded = alerting.Notification.decode(normalizeNotification(note(), DEFAULTS).encoded);

    expect(decoded.properties).toStrictEqual({ opni_severity: 'Info', opni_goldenSignal: 'Custom' });
  });

  it('sets the stamped properties after validating the given ones, in the result and in `encoded`', () => {
    const given = note({ properties: { opni_clusterId: 'x'.repeat(10_000) } }); // too long: refused unstamped
    expect(() => normalizeNotification(given, DEFAULTS)).toThrow(InvalidArgumentError);

    const result = normalizeNotification(
      note({ properties: { opni_clusterId: 'from-payload' } }),
      DEFAULTS,
      'message',
      {
        opni_clusterId: 'from-session',
      },
    );

    expect(result.notification.properties.opni_clusterId).toBe('from-session');
    expect(alerting.Notification.decode(result.encoded)).toStrictEqual(result.notification);
  });
});

describe('encodeNotification', () => {
  it.each<{ label: string; notification: alerting.Notification; bytes: number[] }>([
    { label: 'an empty notification', notification: { title: '', body: '', properties: {} }, bytes: [] },
    { label: 'title and body', notification: { title: 'a', body: 'b', properties: {} }, bytes: [10, 1, 97, 18, 1, 98] },
    {
      label: 'one property (a map entry, field 3)',
      notification: { title: '', body: '', properties: { k: 'v' } },
      bytes: [26, 6, 10, 1, 107, 18, 1, 118],
    },
    {
      label: 'a multibyte title (length in bytes)',
      notification: { title: '€', body: '', properties: {} },
      bytes: [10, 3, 0xe2, 0x82, 0xac],
    },
  ])('writes the protobuf wire format for $label', ({ notification, bytes }) => {
    expect(Array.from(encodeNotification(notification))).toEqual(bytes);
    expect(alerting.Notification.decode(Uint8Array.from(bytes))).toStrictEqual(notification);
  });
});

describe('withProperty', () => {
  it.each<{ label: string; properties: Record<string, string> }>([
    { label: 'a new property', properties: { team: 'ops' } },
    { label: 'one it replaces', properties: { opni_uuid: 'from-the-caller', team: 'ops' } },
    { label: 'no properties at all', properties: {} },
  ])('decodes as the notification with the property set: $label', ({ properties }) => {
    const given = note({ properties });
    const encoded = withProperty(encodeNotification(given), 'opni_uuid', 'n-1 ✓');

    expect(alerting.Notification.decode(encoded)).toStrictEqual({
      ...given,
      properties: { ...properties, opni_uuid: 'n-1 ✓' },
    });
  });
});

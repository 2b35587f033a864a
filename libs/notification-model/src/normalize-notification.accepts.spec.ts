import { alerting } from '@app/proto';
import { normalizeNotification } from './normalize-notification.js';
import { NotificationProperty } from './properties.js';
import type { Severity } from './severity.js';
import {
  deepFreeze,
  DEFAULTS,
  emoji,
  euros,
  expectDecodesTo,
  loose,
  manyProperties,
  note,
  withProperties,
} from './normalize-notification.spec-helpers.js';

const { OpniSeverity } = alerting;

describe('normalizeNotification accepts input exactly at the limits', () => {
  it.each<[label: string, message: alerting.Notification]>([
    ['a one-character title and body', note({ title: 'a', body: 'b' })],
    ['a title of 1024 ASCII bytes', note({ title: 'a'.repeat(1024) })],
    ["a title of 341 '€' (1023 bytes)", note({ title: euros(341) })],
    ["a title of 1021 ASCII and one '€' (1024 bytes)", note({ title: 'a'.repeat(1021) + '€' })],
    ["a title of 512 'é' (1024 bytes)", note({ title: 'é'.repeat(512) })],
    ['a title of 256 emoji (1024 bytes)', note({ title: emoji(256) })],
    ['a title with surrounding whitespace', note({ title: '  padded\t' })],
    ['a body of 65536 ASCII bytes', note({ body: 'x'.repeat(65536) })],
    ["a body of 21845 '€' (65535 bytes)", note({ body: euros(21845) })],
    ['a body of 16384 emoji (65536 bytes)', note({ body: emoji(16384) })],
    ['no properties', withProperties({})],
    ['missing properties', loose({ title: 't', body: 'b' })],
    ['64 properties', withProperties(manyProperties(64))],
    [
      '64 properties including the well-known ones',
      withProperties(manyProperties(62, { opni_severity: 'Warning', opni_goldenSignal: 'Errors' })),
    ],
    ['a one-byte key', withProperties({ k: 'v' })],
    ['a whitespace key (not empty)', withProperties({ ' ': 'v' })],
    ['a key of 256 ASCII bytes', withProperties({ ['k'.repeat(256)]: 'v' })],
    ["a key of 85 '€' and one 'a' (256 bytes)", withProperties({ [euros(85) + 'a']: 'v' })],
    ['an empty value', withProperties({ team: '' })],
    ['a value of 4096 ASCII bytes', withProperties({ team: 'v'.repeat(4096) })],
    ["a value of 1365 '€' and one 'a' (4096 bytes)", withProperties({ team: euros(1365) + 'a' })],
    [
      'everything at its limit at once',
      note({
        title: euros(341) + 'a',
        body: 'x'.repeat(65536),
        properties: manyProperties(62, { ['k'.repeat(256)]: 'v'.repeat(4096), opni_severity: 'critical' }),
      }),
    ],
  ])('accepts %s', (_label, message) => {
    const result = normalizeNotification(message, DEFAULTS);

    expect(result.notification.title).toBe(message.title);
    expect(result.notification.body).toBe(message.body);
    expectDecodesTo(result);
  });
});

describe('normalizeNotification applies the defaults', () => {
  /** What the defaults add to properties that have neither well-known one. */
  const DEFAULTED = { opni_severity: 'Info', opni_goldenSignal: 'Custom' };
  const OTHERS = {
    opni_uuid: 'id-1',
    opni_group_key: 'g',
    opni_clusterId: 'c',
    opni_occurrences: '3',
    team: ' Ops ',
    ключ: 'значение',
    empty: '',
  };

  it.each<[label: string, properties: Record<string, string>, expected: Record<string, string>, severity: Severity]>([
    ['Info and Custom when both are absent', {}, DEFAULTED, OpniSeverity.Info],
    [
      'Custom when only the golden signal is absent',
      { opni_severity: 'Error' },
      { opni_severity: 'Error', opni_goldenSignal: 'Custom' },
      OpniSeverity.Error,
    ],
    [
      'Info when only the severity is absent',
      { opni_goldenSignal: 'Latency' },
      { opni_severity: 'Info', opni_goldenSignal: 'Latency' },
      OpniSeverity.Info,
    ],
    [
      "'critical' → 'Critical'",
      { opni_severity: 'critical' },
      { ...DEFAULTED, opni_severity: 'Critical' },
      OpniSeverity.Critical,
    ],
    [
      "' warning ' → 'Warning'",
      { opni_severity: ' warning ' },
      { ...DEFAULTED, opni_severity: 'Warning' },
      OpniSeverity.Warning,
    ],
    ["'ERROR' → 'Error'", { opni_severity: 'ERROR' }, { ...DEFAULTED, opni_severity: 'Error' }, OpniSeverity.Error],
    ["'iNfO' → 'Info'", { opni_severity: 'iNfO' }, DEFAULTED, OpniSeverity.Info],
    [
      "golden signal '\\tsaturation\\n' → 'Saturation'",
      { opni_goldenSignal: '\tsaturation\n' },
      { opni_severity: 'Info', opni_goldenSignal: 'Saturation' },
      OpniSeverity.Info,
    ],
    [
      'both lower-case',
      { opni_severity: 'warning', opni_goldenSignal: 'traffic' },
      { opni_severity: 'Warning', opni_goldenSignal: 'Traffic' },
      OpniSeverity.Warning,
    ],
    [
      'canonical names unchanged',
      { opni_severity: 'Critical', opni_goldenSignal: 'Errors' },
      { opni_severity: 'Critical', opni_goldenSignal: 'Errors' },
      OpniSeverity.Critical,
    ],
    ['other properties kept as they are', OTHERS, { ...OTHERS, ...DEFAULTED }, OpniSeverity.Info],
  ])('%s', (_label, properties, expected, severity) => {
    const result = normalizeNotification(withProperties(properties), DEFAULTS);

    expect(result.notification).toStrictEqual({
      title: 'Disk full',
      body: 'node-1: /var is 99% full',
      properties: expected,
    });
    expect(result.severity).toBe(severity);
    expectDecodesTo(result);
  });

  it.each([
    ['absent', {}, 1],
    ["'3'", { opni_occurrences: '3' }, 3],
    ['the largest count', { opni_occurrences: '4294967295' }, 4294967295],
  ])('reads opni_occurrences %s as how many occurrences the notification stands for', (_label, properties, count) => {
    expect(normalizeNotification(withProperties(properties), DEFAULTS).occurrences).toBe(count);
  });

  it('gives a notification without properties severity 0 (Info)', () => {
    const result = normalizeNotification(note(), DEFAULTS);

    expect(result.severity).toBe(0);
    expect(result.notification.properties[NotificationProperty.severity]).toBe('Info');
    expect(result.notification.properties[NotificationProperty.goldenSignal]).toBe('Custom');
  });

  it.each<[string, Severity]>([
    ['Info', 0],
    ['Warning', 1],
    ['Error', 2],
    ['Critical', 3],
  ])('maps severity %s to %i', (name, severity) => {
    expect(normalizeNotification(withProperties({ opni_severity: name }), DEFAULTS).severity).toBe(severity);
  });

  it('keeps the title and body exactly, surrounding whitespace included', () => {
    const result = normalizeNotification(note({ title: '  Disk full\n', body: '\tbody  ' }), DEFAULTS);

    expect(result.notification.title).toBe('  Disk full\n');
    expect(result.notification.body).toBe('\tbody  ');
  });

  it('returns exactly title, body and properties, with nothing else', () => {
    const input = { ...note(), extra: 'ignored' } as alerting.Notification;

    expect(Object.keys(normalizeNotification(input, DEFAULTS).notification).sort()).toEqual([
      'body',
      'properties',
      'title',
    ]);
  });
});

describe('normalizeNotification takes dedupeKey from opni_dedupe_key', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['absent', {}, undefined],
    ['an empty string', { opni_dedupe_key: '' }, undefined],
    ['a key', { opni_dedupe_key: 'disk-full:node-1' }, 'disk-full:node-1'],
    ['whitespace (kept as is)', { opni_dedupe_key: ' ' }, ' '],
    ['a key with surrounding spaces (not trimmed)', { opni_dedupe_key: ' k ' }, ' k '],
    ['a multibyte key', { opni_dedupe_key: '€😀' }, '€😀'],
    ['"0" (a falsy-looking string)', { opni_dedupe_key: '0' }, '0'],
    ['a differently-cased key name (ignored)', { OPNI_DEDUPE_KEY: 'k', opni_dedupeKey: 'k' }, undefined],
    ['opni_group_key (not a dedupe key)', { opni_group_key: 'g' }, undefined],
  ])('when it is %s', (_label, properties, dedupeKey) => {
    const result = normalizeNotification(withProperties(properties), DEFAULTS);

    expect(result.dedupeKey).toBe(dedupeKey);
    expect('dedupeKey' in result && result.dedupeKey === undefined).toBe(dedupeKey === undefined);
  });

  it('keeps an empty opni_dedupe_key in the properties', () => {
    const result = normalizeNotification(withProperties({ opni_dedupe_key: '' }), DEFAULTS);

    expect(result.notification.properties).toStrictEqual({
      opni_dedupe_key: '',
      opni_severity: 'Info',
      opni_goldenSignal: 'Custom',
    });
  });
});

describe('normalizeNotification does not mutate its input', () => {
  it.each<[label: string, message: alerting.Notification]>([
    ['without properties', note()],
    ['with a lower-case severity', withProperties({ opni_severity: 'critical' })],
    [
      'with all well-known properties',
      withProperties({ opni_severity: ' error ', opni_goldenSignal: 'LATENCY', opni_dedupe_key: 'k', team: 'ops' }),
    ],
  ])('%s', (_label, message) => {
    const before = structuredClone(message);
    const frozen = deepFreeze(message);

    const result = normalizeNotification(frozen, DEFAULTS);

    expect(frozen).toStrictEqual(before);
    expect(result.notification).not.toBe(frozen);
    expect(result.notification.properties).not.toBe(frozen.properties);
  });

  it('returns properties that can be changed without touching the input', () => {
    const message = withProperties({ team: 'ops' });
    const result = normalizeNotification(message, DEFAULTS);

    result.notification.properties.team = 'dev';
    result.notification.properties[NotificationProperty.uuid] = 'id';

    expect(message.properties).toStrictEqual({ team: 'ops' });
  });
});

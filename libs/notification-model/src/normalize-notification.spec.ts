import { alerting } from '@app/proto';
import { AppError, ERROR_STATUS, InvalidArgumentError } from '@app/runtime';
import { DEFAULT_NOTIFICATION_LIMITS, type NotificationLimits } from './notification-limits.js';
import {
  encodeNotification,
  normalizeNotification,
  withProperty,
  type NormalizedNotification,
} from './normalize-notification.js';
import { NotificationProperty } from './properties.js';
import type { Severity } from './severity.js';

const { OpniSeverity } = alerting;
const DEFAULTS = DEFAULT_NOTIFICATION_LIMITS;

const SEVERITIES = 'use one of Info, Warning, Error, Critical';
const SIGNALS = 'use one of Custom, Errors, Saturation, Traffic, Latency';
const BLANK = 'is required and must not be blank';

/** A valid notification, with `overrides` applied. */
function note(overrides: Partial<alerting.Notification> = {}): alerting.Notification {
  return { title: 'Disk full', body: 'node-1: /var is 99% full', properties: {}, ...overrides };
}

/** `count` properties p0, p1, … with short values, plus `extra`. */
function manyProperties(count: number, extra: Record<string, string> = {}): Record<string, string> {
  const properties: Record<string, string> = {};
  for (let i = 0; i < count; i++) properties[`p${i}`] = `v${i}`;
  return { ...properties, ...extra };
}

/** For inputs the type forbids but callers outside TypeScript can send. */
function loose(value: unknown): alerting.Notification {
  return value as alerting.Notification;
}

/** The InvalidArgumentError thrown by `fn`; fails the test if it throws nothing or something else. */
function invalidArgument(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError, but nothing was thrown');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function expectDecodesTo(result: NormalizedNotification): void {
  expect(alerting.Notification.decode(result.encoded)).toStrictEqual(result.notification);
}

const euros = (n: number): string => '€'.repeat(n); // 3 bytes each
const emoji = (n: number): string => '😀'.repeat(n); // 4 bytes each, 2 UTF-16 units

interface Rejection {
  label: string;
  message: alerting.Notification | undefined;
  limits?: NotificationLimits;
  field: string;
  error: string;
}

describe('normalizeNotification rejects bad input with an InvalidArgumentError naming the field', () => {
  const cases: Rejection[] = [
    // The message itself.
    { label: 'a missing message', message: undefined, field: 'message', error: 'message: is required' },
    { label: 'a null message', message: loose(null), field: 'message', error: 'message: is required' },

    // Title.
    {
      label: 'a missing title',
      message: loose({ body: 'b', properties: {} }),
      field: 'message.title',
      error: `message.title: ${BLANK}`,
    },
    { label: 'an empty title', message: note({ title: '' }), field: 'message.title', error: `message.title: ${BLANK}` },
    {
      label: 'a one-space title',
      message: note({ title: ' ' }),
      field: 'message.title',
      error: `message.title: ${BLANK}`,
    },
    {
      label: 'a whitespace-only title (tabs, newlines)',
      message: note({ title: ' \t\r\n ' }),
      field: 'message.title',
      error: `message.title: ${BLANK}`,
    },
    {
      label: 'a title of Unicode spaces (NBSP, ideographic space, BOM)',
      message: note({ title: '\u00a0\u3000\ufeff' }),
      field: 'message.title',
      error: `message.title: ${BLANK}`,
    },
    {
      label: 'a title one byte over the limit (1025 ASCII)',
      message: note({ title: 'a'.repeat(1025) }),
      field: 'message.title',
      error: 'message.title: is 1025 bytes; at most 1024 are allowed',
    },
    {
      label: "a title of 400 '€' (400 characters, 1200 bytes)",
      message: note({ title: euros(400) }),
      field: 'message.title',
      error: 'message.title: is 1200 bytes; at most 1024 are allowed',
    },
    {
      label: "a title of 342 '€' (1026 bytes)",
      message: note({ title: euros(342) }),
      field: 'message.title',
      error: 'message.title: is 1026 bytes; at most 1024 are allowed',
    },
    {
      label: "a title of 513 'é' (1026 bytes)",
      message: note({ title: 'é'.repeat(513) }),
      field: 'message.title',
      error: 'message.title: is 1026 bytes; at most 1024 are allowed',
    },
    {
      label: 'a title of 257 emoji (514 UTF-16 units, 1028 bytes)',
      message: note({ title: emoji(257) }),
      field: 'message.title',
      error: 'message.title: is 1028 bytes; at most 1024 are allowed',
    },
    {
      label: "a title of 1023 ASCII and one '€' (1026 bytes, 1024 characters)",
      message: note({ title: 'a'.repeat(1023) + '€' }),
      field: 'message.title',
      error: 'message.title: is 1026 bytes; at most 1024 are allowed',
    },

    // Body.
    {
      label: 'a missing body',
      message: loose({ title: 't', properties: {} }),
      field: 'message.body',
      error: `message.body: ${BLANK}`,
    },
    { label: 'an empty body', message: note({ body: '' }), field: 'message.body', error: `message.body: ${BLANK}` },
    {
      label: 'a whitespace-only body',
      message: note({ body: '\n\n\t  ' }),
      field: 'message.body',
      error: `message.body: ${BLANK}`,
    },
    {
      label: 'a body one byte over the limit (65537 ASCII)',
      message: note({ body: 'x'.repeat(65537) }),
      field: 'message.body',
      error: 'message.body: is 65537 bytes; at most 65536 are allowed',
    },
    {
      label: "a body of 21846 '€' (65538 bytes)",
      message: note({ body: euros(21846) }),
      field: 'message.body',
      error: 'message.body: is 65538 bytes; at most 65536 are allowed',
    },
    {
      label: 'a body of 16385 emoji (65540 bytes)',
      message: note({ body: emoji(16385) }),
      field: 'message.body',
      error: 'message.body: is 65540 bytes; at most 65536 are allowed',
    },

    // Property count.
    {
      label: '65 properties',
      message: note({ properties: manyProperties(65) }),
      field: 'message.properties',
      error: 'message.properties: has 65 entries besides the well-known opni_* ones; at most 64 are allowed',
    },
    {
      label: '65 custom properties beside well-known ones (which are not counted)',
      message: note({
        properties: manyProperties(65, { opni_severity: 'Error', opni_goldenSignal: 'Latency', opni_dedupe_key: 'k' }),
      }),
      field: 'message.properties',
      error: 'message.properties: has 65 entries besides the well-known opni_* ones; at most 64 are allowed',
    },
    {
      label: '200 properties',
      message: note({ properties: manyProperties(200) }),
      field: 'message.properties',
      error: 'message.properties: has 200 entries besides the well-known opni_* ones; at most 64 are allowed',
    },

    // Keys.
    {
      label: 'an empty key',
      message: note({ properties: { '': 'value' } }),
      field: 'message.properties',
      error: 'message.properties: key "" must be 1 to 256 bytes (is 0)',
    },
    {
      label: 'an empty key with an empty value',
      message: note({ properties: { team: 'ops', '': '' } }),
      field: 'message.properties',
      error: 'message.properties: key "" must be 1 to 256 bytes (is 0)',
    },
    {
      label: 'a key one byte over the limit (257 ASCII), quoted up to 64 characters',
      message: note({ properties: { ['k'.repeat(257)]: 'v' } }),
      field: 'message.properties',
      error: `message.properties: key "${'k'.repeat(64)}" must be 1 to 256 bytes (is 257)`,
    },
    {
      label: "a key of 86 '€' (258 bytes)",
      message: note({ properties: { [euros(86)]: 'v' } }),
      field: 'message.properties',
      error: `message.properties: key "${euros(64)}" must be 1 to 256 bytes (is 258)`,
    },
    {
      label: "a key of 255 ASCII and one 'é' (257 bytes, 256 characters)",
      message: note({ properties: { ['k'.repeat(255) + 'é']: 'v' } }),
      field: 'message.properties',
      error: `message.properties: key "${'k'.repeat(64)}" must be 1 to 256 bytes (is 257)`,
    },
    {
      label: 'a key with a quote and a newline, JSON-escaped in the message',
      message: note({ properties: { ['a"\n' + 'b'.repeat(300)]: 'v' } }),
      field: 'message.properties',
      error: `message.properties: key ${JSON.stringify('a"\n' + 'b'.repeat(61))} must be 1 to 256 bytes (is 303)`,
    },

    // Values.
    {
      label: 'a value one byte over the limit (4097 ASCII)',
      message: note({ properties: { team: 'v'.repeat(4097) } }),
      field: 'message.properties["team"]',
      error: 'message.properties["team"]: is 4097 bytes; at most 4096 are allowed',
    },
    {
      label: "a value of 1366 '€' (4098 bytes)",
      message: note({ properties: { team: euros(1366) } }),
      field: 'message.properties["team"]',
      error: 'message.properties["team"]: is 4098 bytes; at most 4096 are allowed',
    },
    {
      label: 'a too-long value under a key that needs JSON escaping',
      message: note({ properties: { 'a "b"': 'v'.repeat(5000) } }),
      field: 'message.properties["a \\"b\\""]',
      error: 'message.properties["a \\"b\\""]: is 5000 bytes; at most 4096 are allowed',
    },
    {
      label: 'a too-long opni_severity value (the size check comes before the name check)',
      message: note({ properties: { opni_severity: 'x'.repeat(4097) } }),
      field: 'message.properties["opni_severity"]',
      error: 'message.properties["opni_severity"]: is 4097 bytes; at most 4096 are allowed',
    },

    // Severity.
    {
      label: 'an unknown severity',
      message: note({ properties: { opni_severity: 'bad' } }),
      field: 'message.properties["opni_severity"]',
      error: `message.properties["opni_severity"]: "bad" is not a severity; ${SEVERITIES}`,
    },
    ...['', ' ', 'crit', 'Fatal', 'Debug', '3', 'Custom', 'Info!'].map((value): Rejection => ({
      label: `severity ${JSON.stringify(value)}`,
      message: note({ properties: { opni_severity: value } }),
      field: 'message.properties["opni_severity"]',
      error: `message.properties["opni_severity"]: ${JSON.stringify(value)} is not a severity; ${SEVERITIES}`,
    })),
    {
      label: 'a severity under a differently-cased key (keys are case-sensitive)',
      message: note({ properties: { OPNI_SEVERITY: 'Critical', opni_severity: 'nope' } }),
      field: 'message.properties["opni_severity"]',
      error: `message.properties["opni_severity"]: "nope" is not a severity; ${SEVERITIES}`,
    },

    // Golden signal.
    {
      label: 'an unknown golden signal',
      message: note({ properties: { opni_goldenSignal: 'bad' } }),
      field: 'message.properties["opni_goldenSignal"]',
      error: `message.properties["opni_goldenSignal"]: "bad" is not a golden signal; ${SIGNALS}`,
    },
    ...['', '  ', 'Error', 'Info', 'latencies', '0'].map((value): Rejection => ({
      label: `golden signal ${JSON.stringify(value)}`,
      message: note({ properties: { opni_severity: 'Critical', opni_goldenSignal: value } }),
      field: 'message.properties["opni_goldenSignal"]',
      error: `message.properties["opni_goldenSignal"]: ${JSON.stringify(value)} is not a golden signal; ${SIGNALS}`,
    })),
  ];

  it.each(cases)('rejects $label', ({ message, limits = DEFAULTS, field, error: expected }) => {
    const error = invalidArgument(() => normalizeNotification(message, limits));

    expect(error.field).toBe(field);
    expect(error.message).toBe(expected);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.name).toBe('InvalidArgumentError');
    expect(error.kind).toBe('invalid-argument');
    expect(error).toBeInstanceOf(AppError);
    expect(ERROR_STATUS[error.kind].http).toBe(400);
  });

  it.each(cases)('leaves the input of "$label" unchanged', ({ message, limits = DEFAULTS }) => {
    const before = structuredClone(message);

    expect(() => normalizeNotification(message, limits)).toThrow(InvalidArgumentError);
    expect(message).toStrictEqual(before);
  });
});

describe('normalizeNotification reports the first offending field', () => {
  it.each<{ label: string; message: alerting.Notification; field: string }>([
    { label: 'title before body', message: loose({ title: '', body: '' }), field: 'message.title' },
    {
      label: 'title length before body',
      message: note({ title: 'a'.repeat(2000), body: ' ' }),
      field: 'message.title',
    },
    {
      label: 'body before properties',
      message: note({ body: '', properties: { '': 'x', opni_severity: 'bad' } }),
      field: 'message.body',
    },
    {
      label: 'the property count before any key',
      message: note({ properties: manyProperties(64, { '': 'x' }) }),
      field: 'message.properties',
    },
    {
      label: 'keys and values in insertion order: a long value before a later empty key',
      message: note({ properties: { team: 'v'.repeat(4097), '': 'x' } }),
      field: 'message.properties["team"]',
    },
    {
      label: 'keys and values in insertion order: an empty key before a later long value',
      message: note({ properties: { '': 'x', team: 'v'.repeat(4097) } }),
      field: 'message.properties',
    },
    {
      label: 'sizes before the severity name',
      message: note({ properties: { opni_severity: 'bad', team: 'v'.repeat(4097) } }),
      field: 'message.properties["team"]',
    },
    {
      label: 'the severity before the golden signal',
      message: note({ properties: { opni_goldenSignal: 'bad', opni_severity: 'bad' } }),
      field: 'message.properties["opni_severity"]',
    },
  ])('$label', ({ message, field }) => {
    expect(invalidArgument(() => normalizeNotification(message, DEFAULTS)).field).toBe(field);
  });
});

describe('normalizeNotification names fields under a caller-given prefix', () => {
  it.each<{ label: string; message: alerting.Notification | undefined; error: string }>([
    { label: 'the message', message: undefined, error: 'request.message: is required' },
    { label: 'the title', message: note({ title: '' }), error: `request.message.title: ${BLANK}` },
    { label: 'the body', message: note({ body: ' ' }), error: `request.message.body: ${BLANK}` },
    {
      label: 'the properties',
      message: note({ properties: manyProperties(65) }),
      error: 'request.message.properties: has 65 entries besides the well-known opni_* ones; at most 64 are allowed',
    },
    {
      label: 'a property value',
      message: note({ properties: { x: 'v'.repeat(4097) } }),
      error: 'request.message.properties["x"]: is 4097 bytes; at most 4096 are allowed',
    },
    {
      label: 'the severity',
      message: note({ properties: { opni_severity: 'bad' } }),
      error: `request.message.properties["opni_severity"]: "bad" is not a severity; ${SEVERITIES}`,
    },
    {
      label: 'the golden signal',
      message: note({ properties: { opni_goldenSignal: 'bad' } }),
      error: `request.message.properties["opni_goldenSignal"]: "bad" is not a golden signal; ${SIGNALS}`,
    },
  ])('$label', ({ message, error: expected }) => {
    const error = invalidArgument(() => normalizeNotification(message, DEFAULTS, 'request.message'));

    expect(error.message).toBe(expected);
    expect(error.field).toBe(expected.slice(0, expected.indexOf(': ')));
  });
});

describe('normalizeNotification accepts input exactly at the limits', () => {
  it.each<{ label: string; message: alerting.Notification }>([
    { label: 'a one-character title and body', message: note({ title: 'a', body: 'b' }) },
    { label: 'a title of 1024 ASCII bytes', message: note({ title: 'a'.repeat(1024) }) },
    { label: "a title of 341 '€' (1023 bytes)", message: note({ title: euros(341) }) },
    { label: "a title of 1021 ASCII and one '€' (1024 bytes)", message: note({ title: 'a'.repeat(1021) + '€' }) },
    { label: "a title of 512 'é' (1024 bytes)", message: note({ title: 'é'.repeat(512) }) },
    { label: 'a title of 256 emoji (1024 bytes)', message: note({ title: emoji(256) }) },
    { label: 'a title with surrounding whitespace', message: note({ title: '  padded\t' }) },
    { label: 'a body of 65536 ASCII bytes', message: note({ body: 'x'.repeat(65536) }) },
    { label: "a body of 21845 '€' (65535 bytes)", message: note({ body: euros(21845) }) },
    { label: 'a body of 16384 emoji (65536 bytes)', message: note({ body: emoji(16384) }) },
    { label: 'no properties', message: note({ properties: {} }) },
    { label: 'missing properties', message: loose({ title: 't', body: 'b' }) },
    { label: '64 properties', message: note({ properties: manyProperties(64) }) },
    {
      label: '64 properties including the well-known ones',
      message: note({ properties: manyProperties(62, { opni_severity: 'Warning', opni_goldenSignal: 'Errors' }) }),
    },
    { label: 'a one-byte key', message: note({ properties: { k: 'v' } }) },
    { label: 'a whitespace key (not empty)', message: note({ properties: { ' ': 'v' } }) },
    { label: 'a key of 256 ASCII bytes', message: note({ properties: { ['k'.repeat(256)]: 'v' } }) },
    { label: "a key of 85 '€' and one 'a' (256 bytes)", message: note({ properties: { [euros(85) + 'a']: 'v' } }) },
    { label: 'an empty value', message: note({ properties: { team: '' } }) },
    { label: 'a value of 4096 ASCII bytes', message: note({ properties: { team: 'v'.repeat(4096) } }) },
    {
      label: "a value of 1365 '€' and one 'a' (4096 bytes)",
      message: note({ properties: { team: euros(1365) + 'a' } }),
    },
    {
      label: 'everything at its limit at once',
      message: note({
        title: euros(341) + 'a',
        body: 'x'.repeat(65536),
        properties: manyProperties(62, { ['k'.repeat(256)]: 'v'.repeat(4096), opni_severity: 'critical' }),
      }),
    },
  ])('accepts $label', ({ message }) => {
    const result = normalizeNotification(message, DEFAULTS);

    expect(result.notification.title).toBe(message.title);
    expect(result.notification.body).toBe(message.body);
    expectDecodesTo(result);
  });
});

describe('normalizeNotification applies the defaults', () => {
  it.each<{ label: string; properties: Record<string, string>; expected: Record<string, string>; severity: Severity }>([
    {
      label: 'Info and Custom when both are absent',
      properties: {},
      expected: { opni_severity: 'Info', opni_goldenSignal: 'Custom' },
      severity: OpniSeverity.Info,
    },
    {
      label: 'Custom when only the golden signal is absent',
      properties: { opni_severity: 'Error' },
      expected: { opni_severity: 'Error', opni_goldenSignal: 'Custom' },
      severity: OpniSeverity.Error,
    },
    {
      label: 'Info when only the severity is absent',
      properties: { opni_goldenSignal: 'Latency' },
      expected: { opni_severity: 'Info', opni_goldenSignal: 'Latency' },
      severity: OpniSeverity.Info,
    },
    {
      label: "'critical' → 'Critical'",
      properties: { opni_severity: 'critical' },
      expected: { opni_severity: 'Critical', opni_goldenSignal: 'Custom' },
      severity: OpniSeverity.Critical,
    },
    {
      label: "' warning ' → 'Warning'",
      properties: { opni_severity: ' warning ' },
      expected: { opni_severity: 'Warning', opni_goldenSignal: 'Custom' },
      severity: OpniSeverity.Warning,
    },
    {
      label: "'ERROR' → 'Error'",
      properties: { opni_severity: 'ERROR' },
      expected: { opni_severity: 'Error', opni_goldenSignal: 'Custom' },
      severity: OpniSeverity.Error,
    },
    {
      label: "'iNfO' → 'Info'",
      properties: { opni_severity: 'iNfO' },
      expected: { opni_severity: 'Info', opni_goldenSignal: 'Custom' },
      severity: OpniSeverity.Info,
    },
    {
      label: "golden signal '\\tsaturation\\n' → 'Saturation'",
      properties: { opni_goldenSignal: '\tsaturation\n' },
      expected: { opni_severity: 'Info', opni_goldenSignal: 'Saturation' },
      severity: OpniSeverity.Info,
    },
    {
      label: 'both lower-case',
      properties: { opni_severity: 'warning', opni_goldenSignal: 'traffic' },
      expected: { opni_severity: 'Warning', opni_goldenSignal: 'Traffic' },
      severity: OpniSeverity.Warning,
    },
    {
      label: 'canonical names unchanged',
      properties: { opni_severity: 'Critical', opni_goldenSignal: 'Errors' },
      expected: { opni_severity: 'Critical', opni_goldenSignal: 'Errors' },
      severity: OpniSeverity.Critical,
    },
    {
      label: 'other properties kept as they are',
      properties: {
        opni_uuid: 'id-1',
        opni_group_key: 'g',
        opni_clusterId: 'c',
        opni_occurrences: '3',
        team: ' Ops ',
        ключ: 'значение',
        empty: '',
      },
      expected: {
        opni_uuid: 'id-1',
        opni_group_key: 'g',
        opni_clusterId: 'c',
        opni_occurrences: '3',
        team: ' Ops ',
        ключ: 'значение',
        empty: '',
        opni_severity: 'Info',
        opni_goldenSignal: 'Custom',
      },
      severity: OpniSeverity.Info,
    },
  ])('$label', ({ properties, expected, severity }) => {
    const result = normalizeNotification(note({ properties }), DEFAULTS);

    expect(result.notification).toStrictEqual({
      title: 'Disk full',
      body: 'node-1: /var is 99% full',
      properties: expected,
    });
    expect(result.severity).toBe(severity);
    expectDecodesTo(result);
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
    expect(normalizeNotification(note({ properties: { opni_severity: name } }), DEFAULTS).severity).toBe(severity);
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
    const result = normalizeNotification(note({ properties }), DEFAULTS);

    expect(result.dedupeKey).toBe(dedupeKey);
    expect('dedupeKey' in result && result.dedupeKey === undefined).toBe(dedupeKey === undefined);
  });

  it('keeps an empty opni_dedupe_key in the properties', () => {
    const result = normalizeNotification(note({ properties: { opni_dedupe_key: '' } }), DEFAULTS);

    expect(result.notification.properties).toStrictEqual({
      opni_dedupe_key: '',
      opni_severity: 'Info',
      opni_goldenSignal: 'Custom',
    });
  });
});

describe('normalizeNotification does not mutate its input', () => {
  it.each<{ label: string; message: alerting.Notification }>([
    { label: 'without properties', message: note() },
    { label: 'with a lower-case severity', message: note({ properties: { opni_severity: 'critical' } }) },
    {
      label: 'with all well-known properties',
      message: note({
        properties: { opni_severity: ' error ', opni_goldenSignal: 'LATENCY', opni_dedupe_key: 'k', team: 'ops' },
      }),
    },
  ])('$label', ({ message }) => {
    const before = structuredClone(message);
    const frozen = deepFreeze(message);

    const result = normalizeNotification(frozen, DEFAULTS);

    expect(frozen).toStrictEqual(before);
    expect(result.notification).not.toBe(frozen);
    expect(result.notification.properties).not.toBe(frozen.properties);
  });

  it('returns properties that can be changed without touching the input', () => {
    const message = note({ properties: { team: 'ops' } });
    const result = normalizeNotification(message, DEFAULTS);

    result.notification.properties.team = 'dev';
    result.notification.properties[NotificationProperty.uuid] = 'id';

    expect(message.properties).toStrictEqual({ team: 'ops' });
  });
});

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

  it.each<{ label: string; message: alerting.Notification; field: string; error: string; always?: boolean }>([
    {
      label: 'a 9-byte title',
      message: note({ title: 'a'.repeat(9), body: 'b' }),
      field: 'message.title',
      error: 'message.title: is 9 bytes; at most 8 are allowed',
    },
    {
      label: "a title of 3 '€' (9 bytes, 3 characters)",
      message: note({ title: euros(3), body: 'b' }),
      field: 'message.title',
      error: 'message.title: is 9 bytes; at most 8 are allowed',
    },
    {
      label: 'a 17-byte body',
      message: note({ title: 't', body: 'b'.repeat(17) }),
      field: 'message.body',
      error: 'message.body: is 17 bytes; at most 16 are allowed',
    },
    {
      label: 'a body of 5 emoji (20 bytes, 10 UTF-16 units)',
      message: note({ title: 't', body: emoji(5) }),
      field: 'message.body',
      error: 'message.body: is 20 bytes; at most 16 are allowed',
    },
    {
      label: '5 properties',
      message: note({ title: 't', body: 'b', properties: manyProperties(5) }),
      field: 'message.properties',
      error: 'message.properties: has 5 entries besides the well-known opni_* ones; at most 4 are allowed',
    },
    {
      label: 'a 21-byte key',
      message: note({ title: 't', body: 'b', properties: { ['k'.repeat(21)]: 'v' } }),
      field: 'message.properties',
      error: `message.properties: key "${'k'.repeat(21)}" must be 1 to 20 bytes (is 21)`,
    },
    {
      label: 'an empty key',
      message: note({ title: 't', body: 'b', properties: { '': 'v' } }),
      field: 'message.properties',
      error: 'message.properties: key "" must be 1 to 20 bytes (is 0)',
      always: true,
    },
    {
      label: 'an 11-byte value',
      message: note({ title: 't', body: 'b', properties: { team: 'v'.repeat(11) } }),
      field: 'message.properties["team"]',
      error: 'message.properties["team"]: is 11 bytes; at most 10 are allowed',
    },
    {
      label: "a value of 4 '€' (12 bytes)",
      message: note({ title: 't', body: 'b', properties: { team: euros(4) } }),
      field: 'message.properties["team"]',
      error: 'message.properties["team"]: is 12 bytes; at most 10 are allowed',
    },
  ])('rejects $label', ({ message, field, error: expected, always = false }) => {
    const error = invalidArgument(() => normalizeNotification(message, SMALL));

    expect(error.field).toBe(field);
    expect(error.message).toBe(expected);
    // Only the small limits reject it (an empty key is rejected under any limits).
    if (always) expect(() => normalizeNotification(message, DEFAULTS)).toThrow(InvalidArgumentError);
    else expect(() => normalizeNotification(message, DEFAULTS)).not.toThrow();
  });

  it.each<{ label: string; message: alerting.Notification }>([
    { label: 'an 8-byte title', message: note({ title: 'a'.repeat(8), body: 'b' }) },
    { label: "a title of 2 '€' and 2 ASCII (8 bytes)", message: note({ title: euros(2) + 'ab', body: 'b' }) },
    { label: 'a 16-byte body', message: note({ title: 't', body: 'b'.repeat(16) }) },
    { label: 'a body of 4 emoji (16 bytes)', message: note({ title: 't', body: emoji(4) }) },
    { label: '4 properties', message: note({ title: 't', body: 'b', properties: manyProperties(4) }) },
    { label: 'a 20-byte key', message: note({ title: 't', body: 'b', properties: { ['k'.repeat(20)]: 'v' } }) },
    { label: 'a 10-byte value', message: note({ title: 't', body: 'b', properties: { team: 'v'.repeat(10) } }) },
    {
      label: 'well-known properties within the small limits',
      message: note({
        title: 't',
        body: 'b',
        properties: { opni_severity: 'critical', opni_goldenSignal: 'latency', opni_dedupe_key: 'k' },
      }),
    },
  ])('accepts $label', ({ message }) => {
    const result = normalizeNotification(message, SMALL);

    expect(result.notification.title).toBe(message.title);
    expect(result.notification.body).toBe(message.body);
    expectDecodesTo(result);
  });

  it.each<{ label: string; message: alerting.Notification }>([
    { label: 'a 4096-byte title', message: note({ title: 'a'.repeat(4096) }) },
    { label: 'a 1 MiB body', message: note({ body: 'b'.repeat(1 << 20) }) },
    { label: '200 properties', message: note({ properties: manyProperties(200) }) },
    { label: 'a 1024-byte key', message: note({ properties: { ['k'.repeat(1024)]: 'v' } }) },
    { label: 'an 8192-byte value', message: note({ properties: { team: 'v'.repeat(8192) } }) },
  ])('accepts $label under larger limits, which the defaults reject', ({ message }) => {
    expect(() => normalizeNotification(message, LARGE)).not.toThrow();
    expect(() => normalizeNotification(message, DEFAULTS)).toThrow(InvalidArgumentError);
  });

  it.each<[string, keyof NotificationLimits, alerting.Notification]>([
    ['maxTitleBytes', 'maxTitleBytes', note({ title: 'ab' })],
    ['maxBodyBytes', 'maxBodyBytes', note({ body: 'ab' })],
    ['maxProperties', 'maxProperties', note({ properties: { a: '1', b: '2' } })],
    ['maxPropertyKeyBytes', 'maxPropertyKeyBytes', note({ properties: { ab: '1' } })],
    ['maxPropertyValueBytes', 'maxPropertyValueBytes', note({ properties: { a: '12' } })],
  ])('applies %s = 1 (the smallest setting)', (_label, limit, message) => {
    expect(() => normalizeNotification(message, { ...LARGE, [limit]: 1 })).toThrow(InvalidArgumentError);
    expect(() => normalizeNotification(message, { ...LARGE, [limit]: 2 })).not.toThrow();
  });
});

// Known library bugs (see the report): these describe the documented behaviour and are
// expected to fail until the library is fixed; `it.failing` turns red once they pass.
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

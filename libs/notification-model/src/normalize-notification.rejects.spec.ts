import { alerting } from '@app/proto';
import { AppError, ERROR_STATUS, InvalidArgumentError } from '@app/runtime';
import { normalizeNotification } from './normalize-notification.js';
import {
  badKey,
  BLANK,
  BODY,
  DEFAULTS,
  emoji,
  euros,
  fieldOf,
  invalidArgument,
  loose,
  manyProperties,
  note,
  PROPERTIES,
  property,
  SEVERITIES,
  SIGNALS,
  TITLE,
  tooLong,
  tooMany,
  withProperties,
} from './normalize-notification.spec-helpers.js';

const SEVERITY = property('opni_severity');
const SIGNAL = property('opni_goldenSignal');
const notASeverity = (value: string): string =>
  `${SEVERITY}: ${JSON.stringify(value)} is not a severity; ${SEVERITIES}`;
const notASignal = (value: string): string => `${SIGNAL}: ${JSON.stringify(value)} is not a golden signal; ${SIGNALS}`;

/** [label, message, the whole error text]; the field is the text before its first ': '. */
type Rejection = [label: string, message: alerting.Notification | undefined, error: string];

describe('normalizeNotification rejects bad input with an InvalidArgumentError naming the field', () => {
  // The first case of each kind spells its error out; the rest build the same text.
  const cases: Rejection[] = [
    // The message itself.
    ['a missing message', undefined, 'message: is required'],
    ['a null message', loose(null), 'message: is required'],

    // Title.
    ['a missing title', loose({ body: 'b', properties: {} }), 'message.title: is required and must not be blank'],
    ['an empty title', note({ title: '' }), `${TITLE}: ${BLANK}`],
    ['a one-space title', note({ title: ' ' }), `${TITLE}: ${BLANK}`],
    ['a whitespace-only title (tabs, newlines)', note({ title: ' \t\r\n ' }), `${TITLE}: ${BLANK}`],
    [
      'a title of Unicode spaces (NBSP, ideographic space, BOM)',
      note({ title: '\u00a0\u3000\ufeff' }),
      `${TITLE}: ${BLANK}`,
    ],
    [
      'a title one byte over the limit (1025 ASCII)',
      note({ title: 'a'.repeat(1025) }),
      'message.title: is 1025 bytes; at most 1024 are allowed',
    ],
    ["a title of 400 '€' (400 characters, 1200 bytes)", note({ title: euros(400) }), tooLong(TITLE, 1200, 1024)],
    ["a title of 342 '€' (1026 bytes)", note({ title: euros(342) }), tooLong(TITLE, 1026, 1024)],
    ["a title of 513 'é' (1026 bytes)", note({ title: 'é'.repeat(513) }), tooLong(TITLE, 1026, 1024)],
    ['a title of 257 emoji (514 UTF-16 units, 1028 bytes)', note({ title: emoji(257) }), tooLong(TITLE, 1028, 1024)],
    [
      "a title of 1023 ASCII and one '€' (1026 bytes, 1024 characters)",
      note({ title: 'a'.repeat(1023) + '€' }),
      tooLong(TITLE, 1026, 1024),
    ],

    // Body.
    ['a missing body', loose({ title: 't', properties: {} }), 'message.body: is required and must not be blank'],
    ['an empty body', note({ body: '' }), `${BODY}: ${BLANK}`],
    ['a whitespace-only body', note({ body: '\n\n\t  ' }), `${BODY}: ${BLANK}`],
    ['a body one byte over the limit (65537 ASCII)', note({ body: 'x'.repeat(65537) }), tooLong(BODY, 65537, 65536)],
    ["a body of 21846 '€' (65538 bytes)", note({ body: euros(21846) }), tooLong(BODY, 65538, 65536)],
    ['a body of 16385 emoji (65540 bytes)', note({ body: emoji(16385) }), tooLong(BODY, 65540, 65536)],

    // Property count.
    [
      '65 properties',
      withProperties(manyProperties(65)),
      'message.properties: has 65 entries besides the well-known opni_* ones; at most 64 are allowed',
    ],
    [
      '65 custom properties beside well-known ones (which are not counted)',
      withProperties(
        manyProperties(65, { opni_severity: 'Error', opni_goldenSignal: 'Latency', opni_dedupe_key: 'k' }),
      ),
      tooMany(65, 64),
    ],
    ['200 properties', withProperties(manyProperties(200)), tooMany(200, 64)],

    // Keys.
    ['an empty key', withProperties({ '': 'value' }), 'message.properties: key "" must be 1 to 256 bytes (is 0)'],
    ['an empty key with an empty value', withProperties({ team: 'ops', '': '' }), badKey('', 256, 0)],
    [
      'a key one byte over the limit (257 ASCII), quoted up to 64 characters',
      withProperties({ ['k'.repeat(257)]: 'v' }),
      badKey('k'.repeat(64), 256, 257),
    ],
    ["a key of 86 '€' (258 bytes)", withProperties({ [euros(86)]: 'v' }), badKey(euros(64), 256, 258)],
    [
      "a key of 255 ASCII and one 'é' (257 bytes, 256 characters)",
      withProperties({ ['k'.repeat(255) + 'é']: 'v' }),
      badKey('k'.repeat(64), 256, 257),
    ],
    [
      'a key with a quote and a newline, JSON-escaped in the message',
      withProperties({ ['a"\n' + 'b'.repeat(300)]: 'v' }),
      `message.properties: key ${JSON.stringify('a"\n' + 'b'.repeat(61))} must be 1 to 256 bytes (is 303)`,
    ],

    // Values.
    [
      'a value one byte over the limit (4097 ASCII)',
      withProperties({ team: 'v'.repeat(4097) }),
      'message.properties["team"]: is 4097 bytes; at most 4096 are allowed',
    ],
    ["a value of 1366 '€' (4098 bytes)", withProperties({ team: euros(1366) }), tooLong(property('team'), 4098, 4096)],
    [
      'a too-long value under a key that needs JSON escaping',
      withProperties({ 'a "b"': 'v'.repeat(5000) }),
      'message.properties["a \\"b\\""]: is 5000 bytes; at most 4096 are allowed',
    ],
    [
      'a too-long opni_severity value (the size check comes before the name check)',
      withProperties({ opni_severity: 'x'.repeat(4097) }),
      tooLong(SEVERITY, 4097, 4096),
    ],

    // Severity.
    [
      'an unknown severity',
      withProperties({ opni_severity: 'bad' }),
      `message.properties["opni_severity"]: "bad" is not a severity; ${SEVERITIES}`,
    ],
    ...['', ' ', 'crit', 'Fatal', 'Debug', '3', 'Custom', 'Info!'].map((value): Rejection => [
      `severity ${JSON.stringify(value)}`,
      withProperties({ opni_severity: value }),
      notASeverity(value),
    ]),
    [
      'a severity under a differently-cased key (keys are case-sensitive)',
      withProperties({ OPNI_SEVERITY: 'Critical', opni_severity: 'nope' }),
      notASeverity('nope'),
    ],

    // Golden signal.
    [
      'an unknown golden signal',
      withProperties({ opni_goldenSignal: 'bad' }),
      `message.properties["opni_goldenSignal"]: "bad" is not a golden signal; ${SIGNALS}`,
    ],
    ...['', '  ', 'Error', 'Info', 'latencies', '0'].map((value): Rejection => [
      `golden signal ${JSON.stringify(value)}`,
      withProperties({ opni_severity: 'Critical', opni_goldenSignal: value }),
      notASignal(value),
    ]),

    // Occurrences.
    [
      'occurrences that are not a count',
      withProperties({ opni_occurrences: 'many' }),
      'message.properties["opni_occurrences"]: "many" is not a count of occurrences; use a whole number from 1 to 4294967295',
    ],
    ...['', '0', '-1', '01', '1.5', ' 2', '4294967296', '99999999999', '1e3'].map((value): Rejection => [
      `occurrences ${JSON.stringify(value)}`,
      withProperties({ opni_occurrences: value }),
      `${property('opni_occurrences')}: ${JSON.stringify(value)} is not a count of occurrences; use a whole number from 1 to 4294967295`,
    ]),
  ];

  it.each(cases)('rejects %s', (_label, message, expected) => {
    const error = invalidArgument(() => normalizeNotification(message, DEFAULTS));
    const field = fieldOf(expected);

    expect(error.field).toBe(field);
    expect(error.message).toBe(expected);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.name).toBe('InvalidArgumentError');
    expect(error.kind).toBe('invalid-argument');
    expect(error).toBeInstanceOf(AppError);
    expect(ERROR_STATUS[error.kind].http).toBe(400);
  });

  it.each(cases)('leaves the input of "%s" unchanged', (_label, message) => {
    const before = structuredClone(message);

    expect(() => normalizeNotification(message, DEFAULTS)).toThrow(InvalidArgumentError);
    expect(message).toStrictEqual(before);
  });
});

describe('normalizeNotification reports the first offending field', () => {
  it.each<[label: string, message: alerting.Notification, field: string]>([
    ['title before body', loose({ title: '', body: '' }), TITLE],
    ['title length before body', note({ title: 'a'.repeat(2000), body: ' ' }), TITLE],
    ['body before properties', note({ body: '', properties: { '': 'x', opni_severity: 'bad' } }), BODY],
    ['the property count before any key', withProperties(manyProperties(64, { '': 'x' })), PROPERTIES],
    [
      'keys and values in insertion order: a long value before a later empty key',
      withProperties({ team: 'v'.repeat(4097), '': 'x' }),
      property('team'),
    ],
    [
      'keys and values in insertion order: an empty key before a later long value',
      withProperties({ '': 'x', team: 'v'.repeat(4097) }),
      PROPERTIES,
    ],
    [
      'sizes before the severity name',
      withProperties({ opni_severity: 'bad', team: 'v'.repeat(4097) }),
      property('team'),
    ],
    [
      'the severity before the golden signal',
      withProperties({ opni_goldenSignal: 'bad', opni_severity: 'bad' }),
      SEVERITY,
    ],
  ])('%s', (_label, message, field) => {
    expect(invalidArgument(() => normalizeNotification(message, DEFAULTS)).field).toBe(field);
  });
});

describe('normalizeNotification names fields under a caller-given prefix', () => {
  it.each<[label: string, message: alerting.Notification | undefined, error: string]>([
    ['the message', undefined, 'request.message: is required'],
    ['the title', note({ title: '' }), `request.message.title: ${BLANK}`],
    ['the body', note({ body: ' ' }), `request.message.body: ${BLANK}`],
    ['the properties', withProperties(manyProperties(65)), tooMany(65, 64, 'request.message.properties')],
    [
      'a property value',
      withProperties({ x: 'v'.repeat(4097) }),
      tooLong('request.message.properties["x"]', 4097, 4096),
    ],
    [
      'the severity',
      withProperties({ opni_severity: 'bad' }),
      `request.message.properties["opni_severity"]: "bad" is not a severity; ${SEVERITIES}`,
    ],
    [
      'the golden signal',
      withProperties({ opni_goldenSignal: 'bad' }),
      `request.message.properties["opni_goldenSignal"]: "bad" is not a golden signal; ${SIGNALS}`,
    ],
  ])('%s', (_label, message, expected) => {
    const error = invalidArgument(() => normalizeNotification(message, DEFAULTS, 'request.message'));

    expect(error.message).toBe(expected);
    expect(error.field).toBe(fieldOf(expected));
  });
});

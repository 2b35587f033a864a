import { alerting } from '@app/proto';
import {
  GOLDEN_SIGNAL_NAMES,
  SEVERITY_NAMES,
  goldenSignalName,
  goldenSignalOf,
  parseGoldenSignalName,
  parseSeverityName,
  priorityOf,
  severityName,
  severityOf,
  type GoldenSignalName,
  type Severity,
  type SeverityName,
} from './severity.js';

const { OpniSeverity, GoldenSignal } = alerting;

describe('SEVERITY_NAMES and GOLDEN_SIGNAL_NAMES', () => {
  it('list the severities least important first', () => {
    expect(SEVERITY_NAMES).toEqual(['Info', 'Warning', 'Error', 'Critical']);
  });

  it('list the golden signals in enum order', () => {
    expect(GOLDEN_SIGNAL_NAMES).toEqual(['Custom', 'Errors', 'Saturation', 'Traffic', 'Latency']);
  });

  it.each(SEVERITY_NAMES.map((name, index) => [name, index] as const))(
    'severity %s sits at index %i, its enum value',
    (name, index) => {
      expect(OpniSeverity[name]).toBe(index);
    },
  );

  it.each(GOLDEN_SIGNAL_NAMES.map((name, index) => [name, index] as const))(
    'golden signal %s sits at index %i, its enum value',
    (name, index) => {
      expect(GoldenSignal[name]).toBe(index);
    },
  );
});

describe('parseSeverityName', () => {
  it.each<[string, SeverityName]>([
    ['Info', 'Info'],
    ['Warning', 'Warning'],
    ['Error', 'Error'],
    ['Critical', 'Critical'],
    ['info', 'Info'],
    ['INFO', 'Info'],
    ['warning', 'Warning'],
    ['WARNING', 'Warning'],
    ['wArNiNg', 'Warning'],
    ['error', 'Error'],
    ['ERROR', 'Error'],
    ['critical', 'Critical'],
    ['CRITICAL', 'Critical'],
    [' warning ', 'Warning'],
    ['\tcritical\n', 'Critical'],
    ['\u00a0Error\u00a0', 'Error'],
  ])('parses %j as %s', (text, expected) => {
    expect(parseSeverityName(text)).toBe(expected);
  });

  it.each([
    [''],
    [' '],
    ['crit'],
    ['Critical!'],
    ['Warn'],
    ['Err'],
    ['Information'],
    ['Debug'],
    ['Fatal'],
    ['0'],
    ['3'],
    ['UNRECOGNIZED'],
    ['Custom'],
    ['In fo'],
    ['constructor'],
    ['__proto__'],
    ['toString'],
  ])('does not parse %j', (text) => {
    expect(parseSeverityName(text)).toBeUndefined();
  });
});

describe('parseGoldenSignalName', () => {
  it.each<[string, GoldenSignalName]>([
    ['Custom', 'Custom'],
    ['Errors', 'Errors'],
    ['Saturation', 'Saturation'],
    ['Traffic', 'Traffic'],
    ['Latency', 'Latency'],
    ['custom', 'Custom'],
    ['ERRORS', 'Errors'],
    ['saturation', 'Saturation'],
    ['tRaFfIc', 'Traffic'],
    ['LATENCY', 'Latency'],
    ['  latency  ', 'Latency'],
    ['\nerrors\t', 'Errors'],
  ])('parses %j as %s', (text, expected) => {
    expect(parseGoldenSignalName(text)).toBe(expected);
  });

  it.each([
    [''],
    ['  '],
    ['Error'],
    ['Latencies'],
    ['Info'],
    ['0'],
    ['UNRECOGNIZED'],
    ['constructor'],
    ['hasOwnProperty'],
  ])('does not parse %j', (text) => {
    expect(parseGoldenSignalName(text)).toBeUndefined();
  });
});

describe('severityOf', () => {
  it.each<[SeverityName, Severity]>([
    ['Info', OpniSeverity.Info],
    ['Warning', OpniSeverity.Warning],
    ['Error', OpniSeverity.Error],
    ['Critical', OpniSeverity.Critical],
  ])('maps %s to its enum value', (name, expected) => {
    expect(severityOf(name)).toBe(expected);
  });

  it.each<[SeverityName, number]>([
    ['Info', 0],
    ['Warning', 1],
    ['Error', 2],
    ['Critical', 3],
  ])('maps %s to %i', (name, expected) => {
    expect(severityOf(name)).toBe(expected);
  });
});

describe('severityName', () => {
  it.each<[Severity, SeverityName]>([
    [OpniSeverity.Info, 'Info'],
    [OpniSeverity.Warning, 'Warning'],
    [OpniSeverity.Error, 'Error'],
    [OpniSeverity.Critical, 'Critical'],
  ])('names severity %i %s', (severity, expected) => {
    expect(severityName(severity)).toBe(expected);
  });

  it.each(SEVERITY_NAMES.map((name) => [name]))('round-trips %s through severityOf', (name) => {
    expect(severityName(severityOf(name))).toBe(name);
  });

  it.each([0, 1, 2, 3])('round-trips enum value %i through severityName', (value) => {
    const severity = value as Severity;
    expect(severityOf(severityName(severity))).toBe(severity);
  });

  it.each<[string, number]>([
    ['UNRECOGNIZED', OpniSeverity.UNRECOGNIZED],
    ['4 (past the end)', 4],
    ['99', 99],
    ['1.5 (not an index)', 1.5],
    ['NaN', Number.NaN],
  ])('falls back to Info for an out-of-range value %s', (_label, value) => {
    expect(severityName(value as Severity)).toBe('Info');
  });
});

describe('goldenSignalOf', () => {
  it.each<[GoldenSignalName, alerting.GoldenSignal]>([
    ['Custom', GoldenSignal.Custom],
    ['Errors', GoldenSignal.Errors],
    ['Saturation', GoldenSignal.Saturation],
    ['Traffic', GoldenSignal.Traffic],
    ['Latency', GoldenSignal.Latency],
  ])('maps %s to its enum value', (name, expected) => {
    expect(goldenSignalOf(name)).toBe(expected);
  });

  it.each(GOLDEN_SIGNAL_NAMES.map((name, index) => [name, index] as const))('maps %s to %i', (name, index) => {
    expect(goldenSignalOf(name)).toBe(index);
  });
});

describe('priorityOf', () => {
  it.each<[Severity, number]>([
    [OpniSeverity.Info, 0],
    [OpniSeverity.Warning, 1],
    [OpniSeverity.Error, 2],
    [OpniSeverity.Critical, 3],
  ])('gives severity %i priority %i (equal to the enum value)', (severity, expected) => {
    expect(priorityOf(severity)).toBe(expected);
  });

  it.each<[SeverityName, SeverityName]>([
    ['Critical', 'Error'],
    ['Critical', 'Warning'],
    ['Critical', 'Info'],
    ['Error', 'Warning'],
    ['Error', 'Info'],
    ['Warning', 'Info'],
  ])('drains %s before %s', (higher, lower) => {
    expect(priorityOf(severityOf(higher))).toBeGreaterThan(priorityOf(severityOf(lower)));
  });

  it('orders Critical > Error > Warning > Info when sorting by priority, highest first', () => {
    const shuffled: SeverityName[] = ['Warning', 'Critical', 'Info', 'Error', 'Info', 'Critical'];
    const sorted = [...shuffled].sort((a, b) => priorityOf(severityOf(b)) - priorityOf(severityOf(a)));

    expect(sorted).toEqual(['Critical', 'Critical', 'Error', 'Warning', 'Info', 'Info']);
  });

  it.each(SEVERITY_NAMES.map((name) => [name]))('gives equal severities %s equal priorities', (name) => {
    expect(priorityOf(severityOf(name))).toBe(priorityOf(OpniSeverity[name]));
  });
});

describe('goldenSignalName', () => {
  it.each(GOLDEN_SIGNAL_NAMES.map((name) => [name]))('round-trips %s through goldenSignalOf', (name) => {
    expect(goldenSignalName(goldenSignalOf(name))).toBe(name);
  });

  it('names an unknown enum value Custom, the default signal', () => {
    expect(goldenSignalName(GoldenSignal.UNRECOGNIZED)).toBe('Custom');
    expect(goldenSignalName(42 as alerting.GoldenSignal)).toBe('Custom');
  });
});

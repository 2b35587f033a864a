import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alerting } from '@app/proto';
import { repoRoot } from '@app/testing';
import { InvalidArgumentError } from '@app/runtime';
import {
  byIdClusterFromParams,
  countQueryFromParams,
  feedFilterFromParams,
  LIST_PARAMS,
  listQueryFromParams,
  resumeAfter,
  rfc3339,
} from './notification-query-params.js';

const { OpniSeverity, GoldenSignal } = alerting;

function fieldOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as InvalidArgumentError).field;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('listQueryFromParams', () => {
  it('reads every parameter; repeated ones as lists; names in any case', () => {
    expect(
      listQueryFromParams({
        cluster: ['a', 'b'],
        severity: ['critical', 'WARNING'],
        goldenSignal: 'latency',
        since: '2030-01-01T00:00:00Z',
        until: '2030-01-02T00:00:00.250+01:00',
        q: 'disk "full"',
        dedupeKey: 'disk/node-7',
        order: 'SEVERITY',
        limit: '50',
        cursor: 'czE',
      }),
    ).toEqual({
      clusterIds: ['a', 'b'],
      severities: [OpniSeverity.Critical, OpniSeverity.Warning],
      goldenSignals: [GoldenSignal.Latency],
      since: new Date('2030-01-01T00:00:00Z'),
      until: new Date('2030-01-01T23:00:00.250Z'),
      text: 'disk "full"',
      dedupeKey: 'disk/node-7',
      order: 'severity',
      limit: 50,
      cursor: 'czE',
    });
  });

  it('leaves out what is not given; an empty cursor is the first page, a blank q no search', () => {
    expect(listQueryFromParams({ cursor: '', q: '  ' })).toEqual({
      clusterIds: [],
      severities: [],
      goldenSignals: [],
      since: undefined,
      until: undefined,
      limit: undefined,
      cursor: undefined,
    });
  });

  it.each([
    [{ limit: '-1' }, 'limit'],
    [{ limit: '1e3' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ cursor: ['a', 'b'] }, 'cursor'],
    [{ severity: 'fatal' }, 'severity'],
    [{ goldenSignal: '' }, 'goldenSignal'],
    [{ cluster: ['a', ''] }, 'cluster'],
    [{ cluster: { nested: 'x' } }, 'cluster'],
    [{ since: '2030-01-01' }, 'since'],
    [{ until: 'now' }, 'until'],
    [{ minSeverity: 'Error' }, 'minSeverity'],
    [{ order: 'loudest' }, 'order'],
    [{ order: ['newest', 'severity'] }, 'order'],
    [{ q: ['disk', 'full'] }, 'q'],
    [{ q: { $ne: '' } }, 'q'],
    [{ dedupeKey: '' }, 'dedupeKey'],
    [{ cluster: 'a\u0000' }, 'cluster'],
  ])('refuses %j naming %s', (params, field) => {
    expect(fieldOf(() => listQueryFromParams(params))).toBe(field);
  });
});

describe('the list parameters in docs/api.md', () => {
  it('has a row for each parameter, and none for another', () => {
    const text = readFileSync(join(repoRoot, 'docs/api.md'), 'utf8');
    const rows = [...text.matchAll(/^ {2}\| `(\w+)` +\|/gm)].map((match) => match[1]);
    expect(rows).toEqual(LIST_PARAMS);
  });
});

describe('byIdClusterFromParams', () => {
  it('reads the cluster, if any; refuses a second one or another parameter', () => {
    expect(byIdClusterFromParams({})).toBeUndefined();
    expect(byIdClusterFromParams({ cluster: 'a' })).toBe('a');
    expect(fieldOf(() => byIdClusterFromParams({ cluster: ['a', 'b'] }))).toBe('cluster');
    expect(fieldOf(() => byIdClusterFromParams({ q: 'x' }))).toBe('q');
  });
});

describe('countQueryFromParams', () => {
  it('takes the list filters but severity and the page, naming a bad one', () => {
    expect(countQueryFromParams({ cluster: 'a', goldenSignal: 'errors' }).clusterIds).toEqual(['a']);
    expect(countQueryFromParams({ q: 'disk', dedupeKey: 'k' })).toMatchObject({ text: 'disk', dedupeKey: 'k' });
    expect(() => countQueryFromParams({ order: 'severity' })).toThrow('order: is not a parameter of this endpoint');
    expect(() => countQueryFromParams({ severity: 'critical' })).toThrow(InvalidArgumentError);
    expect(() => countQueryFromParams({ limit: '5' })).toThrow('limit: is not a parameter of this endpoint');
    expect(() => countQueryFromParams({ since: 'yesterday' })).toThrow('since:');
  });
});

describe('feedFilterFromParams', () => {
  it('defaults to every cluster from Info up', () => {
    expect(feedFilterFromParams({})).toEqual({ clusterIds: [], minSeverity: OpniSeverity.Info });
  });

  it('reads clusters and the minimum severity', () => {
    expect(feedFilterFromParams({ cluster: ['a', 'b'], minSeverity: 'error' })).toEqual({
      clusterIds: ['a', 'b'],
      minSeverity: OpniSeverity.Error,
    });
  });

  it.each([
    [{ minSeverity: 'loud' }, 'minSeverity'],
    [{ minSeverity: ['Info', 'Error'] }, 'minSeverity'],
    [{ severity: 'Error' }, 'severity'],
  ])('refuses %j naming %s', (params, field) => {
    expect(fieldOf(() => feedFilterFromParams(params))).toBe(field);
  });
});

describe('resumeAfter (Last-Event-ID)', () => {
  it('reads a seq, or nothing', () => {
    expect(resumeAfter('42')).toBe(42n);
    expect(resumeAfter('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(resumeAfter(undefined)).toBeUndefined();
    expect(resumeAfter('')).toBeUndefined();
  });

  it.each(['abc', '-1', '1.5', '9223372036854775808', ' 1'])('refuses %p', (value) => {
    expect(fieldOf(() => resumeAfter(value))).toBe('Last-Event-ID');
  });
});

describe('rfc3339', () => {
  it.each([
    ['2030-01-31T12:00:00Z', '2030-01-31T12:00:00.000Z'],
    ['2030-01-31t12:00:00z', '2030-01-31T12:00:00.000Z'],
    ['2030-01-31 12:00:00Z', '2030-01-31T12:00:00.000Z'],
    ['2030-01-31T13:30:00+01:30', '2030-01-31T12:00:00.000Z'],
    ['2030-01-31T10:00:00-02:00', '2030-01-31T12:00:00.000Z'],
    ['2030-01-31T12:00:00.291Z', '2030-01-31T12:00:00.291Z'],
    ['2030-01-31T12:00:00.5Z', '2030-01-31T12:00:00.500Z'],
    ['2030-01-31T12:00:00.123456789Z', '2030-01-31T12:00:00.123Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(rfc3339('since', text).toISOString()).toBe(iso);
  });

  it.each([
    '2030-01-31T12:00:00', // no offset
    '2030-01-31',
    '2030-1-31T12:00:00Z',
    '2030-02-29T00:00:00Z',
    '2030-04-31T00:00:00Z',
    '2030-13-01T00:00:00Z',
    '2030-00-01T00:00:00Z',
    '2030-01-00T00:00:00Z',
    '2030-01-31T24:00:00Z',
    '2030-01-31T12:60:00Z',
    '2030-01-31T12:00:60Z',
    '2030-01-31T12:00:00+24:00',
    '2030-01-31T12:00:00.Z',
    '1706702400',
    ' 2030-01-31T12:00:00Z',
  ])('refuses %p, naming the parameter', (text) => {
    expect(fieldOf(() => rfc3339('until', text))).toBe('until');
  });
});

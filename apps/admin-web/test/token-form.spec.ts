import {
  fieldErrorOf,
  joinCommandFor,
  labelsText,
  newestFirst,
  tokenRequest,
  usagesText,
  type LabelRow,
} from '../src/bootstrap-tokens/token-form.js';
import { JOIN_CLUSTER_ID_DEFAULT, type TokenView } from '@app/admin-api';

const rows = (...pairs: [string, string][]): LabelRow[] => pairs.map(([key, value], id) => ({ id, key, value }));

const COMMAND = `AGENT_GATEWAY_ADDRESS=gw:9090 AGENT_JOIN_TOKEN=abc.def AGENT_GATEWAY_PIN=sha256:00 AGENT_CLUSTER_ID=${JOIN_CLUSTER_ID_DEFAULT} node main.js`;

describe('the bootstrap token form (browser-free logic)', () => {
  it('asks for what was typed: a whole number of usages as a number, labels trimmed, empty rows ignored', () => {
    expect(
      tokenRequest({ ttl: ' 7d ', maxUsages: ' 3 ', labels: rows(['env', ' prod '], ['', ''], [' team', 'e2e']) }),
    ).toEqual({ request: { ttl: '7d', maxUsages: 3, labels: { env: 'prod', team: 'e2e' } } });
    expect(tokenRequest({ ttl: '0s', maxUsages: '0', labels: [] })).toEqual({
      request: { ttl: '0s', maxUsages: 0, labels: {} },
    });
  });

  it('passes what is not a whole number on as typed, for the gateway to refuse by name', () => {
    expect(tokenRequest({ ttl: 'forever', maxUsages: '1.5', labels: [] })).toEqual({
      request: { ttl: 'forever', maxUsages: '1.5', labels: {} },
    });
  });

  it('refuses a label without a key and a key given twice, naming the row', () => {
    expect(tokenRequest({ ttl: '1h', maxUsages: '1', labels: rows(['env', 'a'], ['', 'b']) })).toEqual({
      error: { field: 'labels', row: 1, message: 'labels: a label has a value but no key' },
    });
    expect(tokenRequest({ ttl: '1h', maxUsages: '1', labels: rows(['env', 'a'], [' env', 'b']) })).toEqual({
      error: { field: 'labels', row: 1, message: 'labels: the key env is given twice' },
    });
  });

  it('finds the field a gateway 400 names, and for a label key its row', () => {
    const labels = rows(['env', 'prod'], ['bad key', 'x']);
    expect(fieldErrorOf('ttl: must be a whole number with a unit', labels)).toEqual({
      field: 'ttl',
      message: 'ttl: must be a whole number with a unit',
    });
    expect(fieldErrorOf('maxUsages: must be a whole number >= 0', labels).field).toBe('maxUsages');
    expect(fieldErrorOf('labels.bad key: is not a valid label key', labels)).toEqual({
      field: 'labels',
      row: 1,
      message: 'labels.bad key: is not a valid label key',
    });
    expect(fieldErrorOf('labels: must be an object of string values', labels)).toEqual({
      field: 'labels',
      message: 'labels: must be an object of string values',
    });
    expect(fieldErrorOf('something else went wrong', labels)).toEqual({
      field: '',
      message: 'something else went wrong',
    });
  });

  it('fills a valid cluster id into the join command in place of the shell default, and keeps the default otherwise', () => {
    expect(joinCommandFor(COMMAND, ' from-page ')).toContain('AGENT_CLUSTER_ID=from-page node');
    expect(joinCommandFor(COMMAND, '')).toBe(COMMAND);
    // Not a cluster id (and not safe in a shell): nothing is filled in.
    expect(joinCommandFor(COMMAND, 'a; rm -rf /')).toBe(COMMAND);
  });

  it('words usages, labels and the order of the list', () => {
    expect(usagesText({ usages: 1, maxUsages: 1 })).toBe('1 of 1');
    expect(usagesText({ usages: 3, maxUsages: 0 })).toBe('3 (no limit)');
    expect(labelsText({})).toBe('—');
    expect(labelsText({ env: 'prod', team: 'e2e' })).toBe('env=prod, team=e2e');
    const token = (id: string, createdAt: string) => ({ id, createdAt }) as TokenView;
    expect(
      newestFirst([token('a', '2030-01-01T00:00:00.000Z'), token('b', '2030-01-02T00:00:00.000Z')]).map((t) => t.id),
    ).toEqual(['b', 'a']);
  });
});

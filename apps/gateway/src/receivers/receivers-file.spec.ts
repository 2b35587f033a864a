import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, SettingsError } from '@app/runtime';
import { GatewaySettings } from '../config/gateway-settings.js';
import { ReceiverConfig } from './webhook/receiver-config.js';
import { RECEIVERS_SETTING_CHECKS } from './receivers-file-check.js';
import { loadReceiversFile, parseReceivers, ReceiversFileError } from './receivers-file.js';

const valid = { name: 'ops', url: 'https://hooks.example.com/alerts' };

function fileWith(...receivers: unknown[]): string {
  return JSON.stringify({ receivers });
}

/** The ReceiversFileError message for `text`; fails the test when it parses. */
function problemWith(text: string): string {
  try {
    parseReceivers(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ReceiversFileError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a ReceiversFileError, but the file parsed');
}

describe('parseReceivers', () => {
  it('applies the documented defaults', () => {
    const [receiver] = parseReceivers(fileWith(valid));

    expect(receiver).toBeInstanceOf(ReceiverConfig);
    expect({ ...receiver }).toEqual({
      name: 'ops',
      url: 'https://hooks.example.com/alerts',
      minSeverity: 'Info',
      clusters: [],
      headers: {},
      timeoutMs: 10_000,
      batchSize: 50,
      backoffInitialMs: 500,
      backoffMaxMs: 60_000,
      maxAttempts: 0,
      pollIntervalMs: 5_000,
      from: 'end',
    });
  });

  it('accepts every field, severity names and "from" in any case', () => {
    const [receiver] = parseReceivers(
      fileWith({
        ...valid,
        url: 'http://alert-hook.monitoring:9093/hook?x=1',
        minSeverity: 'warning',
        clusters: ['prod-eu-1', 'prod-us-1'],
        headers: { Authorization: 'Bearer t0ken', 'X-Scope-OrgID': 'ops' },
        timeoutMs: 2000,
        batchSize: 10,
        backoffInitialMs: 5,
        backoffMaxMs: 5,
        maxAttempts: 3,
        pollIntervalMs: 50,
        from: 'Beginning',
      }),
    );

    expect(receiver.minSeverity).toBe('Warning');
    expect(receiver.from).toBe('beginning');
    expect(receiver.clusters).toEqual(['prod-eu-1', 'prod-us-1']);
    expect(receiver.headers).toEqual({ Authorization: 'Bearer t0ken', 'X-Scope-OrgID': 'ops' });
  });

  it('accepts loopback and single-label hosts', () => {
    expect(() => parseReceivers(fileWith({ ...valid, url: 'http://127.0.0.1:8080/x' }))).not.toThrow();
    expect(() => parseReceivers(fileWith({ ...valid, url: 'http://localhost/x' }))).not.toThrow();
  });

  it('accepts an empty list: no receivers', () => {
    expect(parseReceivers('{"receivers": []}')).toEqual([]);
  });

  it.each([
    ['name', { name: '' }, 'receivers[0]: name must be 1 to 63 letters'],
    ['name', { name: 'has space' }, 'receiver "has space" (receivers[0]): name must be 1 to 63 letters'],
    ['name', { name: 7 }, 'receivers[0]: name must be a string; got 7'],
    [
      'url',
      { url: 'ftp://example.com/x' },
      'receiver "ops" (receivers[0]): url must be an http:// or https:// URL; got "ftp://example.com/x"',
    ],
    ['url', { url: 'hooks.example.com/alerts' }, 'url must be an http:// or https:// URL'],
    [
      'minSeverity',
      { minSeverity: 'Loud' },
      'receiver "ops" (receivers[0]): minSeverity must be one of Info, Warning, Error, Critical; got "Loud"',
    ],
    ['clusters', { clusters: 'prod' }, 'receiver "ops" (receivers[0]): clusters must be a list of cluster ids'],
    ['clusters', { clusters: ['prod', ''] }, 'clusters must not contain an empty cluster id'],
    ['clusters', { clusters: [1] }, 'clusters must be a list of cluster ids (strings)'],
    [
      'headers',
      { headers: { 'Bad Header': 'x' } },
      'receiver "ops" (receivers[0]): headers must map header names to string values',
    ],
    ['headers', { headers: { Authorization: 5 } }, 'headers must map header names to string values'],
    ['headers', { headers: { Authorization: 'a\r\nX-Evil: 1' } }, 'headers must map header names'],
    ['headers', { headers: ['Authorization'] }, 'headers must map header names'],
    [
      'timeoutMs',
      { timeoutMs: 0 },
      'receiver "ops" (receivers[0]): timeoutMs must be an integer from 1 to 600000; got 0',
    ],
    ['timeoutMs', { timeoutMs: '5s' }, 'timeoutMs must be an integer from 1 to 600000; got "5s"'],
    ['batchSize', { batchSize: 1.5 }, 'batchSize must be an integer from 1 to 1000; got 1.5'],
    ['batchSize', { batchSize: 1001 }, 'batchSize must be an integer from 1 to 1000'],
    ['backoffInitialMs', { backoffInitialMs: -1 }, 'backoffInitialMs must be an integer from 1 to 3600000'],
    [
      'backoffMaxMs',
      { backoffInitialMs: 1000, backoffMaxMs: 10 },
      'backoffMaxMs must be at least backoffInitialMs; got 10',
    ],
    [
      'maxAttempts',
      { maxAttempts: -1 },
      'maxAttempts must be an integer from 0 to 1000000 (0 retries forever); got -1',
    ],
    ['pollIntervalMs', { pollIntervalMs: 1 }, 'pollIntervalMs must be an integer from 10 to 3600000; got 1'],
    ['from', { from: 'middle' }, 'receiver "ops" (receivers[0]): from must be one of end, beginning; got "middle"'],
    [
      'an unknown field',
      { minSeverty: 'Error' },
      'receiver "ops" (receivers[0]): minSeverty is not a known field; got "Error"',
    ],
  ])('names the receiver and the field: %s', (_field, override, expected) => {
    expect(problemWith(fileWith({ ...valid, ...override }))).toContain(expected);
  });

  it('says which required field is missing', () => {
    expect(problemWith(fileWith({ url: valid.url }))).toBe('receivers[0]: name is required');
    expect(problemWith(fileWith({ name: 'ops' }))).toBe('receiver "ops" (receivers[0]): url is required');
  });

  it('names the receiver by position among several', () => {
    const message = problemWith(fileWith(valid, { name: 'pager', url: valid.url, minSeverity: 'x' }));

    expect(message).toBe(
      'receiver "pager" (receivers[1]): minSeverity must be one of Info, Warning, Error, Critical; got "x"',
    );
  });

  it('lists every problem in one line', () => {
    const message = problemWith(fileWith({ ...valid, batchSize: 0, from: 'x' }));

    expect(message).toContain('batchSize must be');
    expect(message).toContain('from must be');
  });

  it('refuses two receivers with one name', () => {
    expect(problemWith(fileWith(valid, { ...valid, url: 'https://other.example.com/' }))).toBe(
      'receiver "ops" (receivers[1]): name must be unique; receivers[0] has it too',
    );
  });

  it('refuses a receiver that is not an object', () => {
    expect(problemWith(fileWith('ops'))).toBe('receivers[0]: must be an object');
  });

  it.each([
    ['not JSON', 'receivers: []', 'not valid JSON'],
    ['a list instead of the object', '[]', 'must be a JSON object'],
    ['receivers not a list', '{"receivers": {}}', 'receivers must be a list of receivers'],
    ['an unknown top-level field', '{"receivers": [], "recievers": []}', 'recievers is not a known field'],
  ])('refuses %s', (_case, text, expected) => {
    expect(problemWith(text)).toContain(expected);
  });
});

describe('loadReceiversFile and the GATEWAY_RECEIVERS_FILE setting', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'receivers-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('means no receivers when the setting is empty (the default)', () => {
    expect(loadReceiversFile('')).toEqual([]);
    expect(loadSettings(GatewaySettings, { argv: [], env: {} }, RECEIVERS_SETTING_CHECKS).receiversFile).toBe('');
  });

  it('loads a good file named by the flag', () => {
    const path = join(dir, 'good.json');
    writeFileSync(path, fileWith(valid));

    const settings = loadSettings(
      GatewaySettings,
      { argv: ['--receivers-file', path], env: {} },
      RECEIVERS_SETTING_CHECKS,
    );

    expect(settings.receiversFile).toBe(path);
    expect(loadReceiversFile(path).map((r) => r.name)).toEqual(['ops']);
  });

  it('fails the settings (exit 2 at start-up) with one line naming the setting, receiver and field', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, fileWith({ ...valid, minSeverity: 'Loud' }));

    let error: unknown;
    try {
      loadSettings(GatewaySettings, { argv: [], env: { GATEWAY_RECEIVERS_FILE: path } }, RECEIVERS_SETTING_CHECKS);
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toBe(
      `invalid setting GATEWAY_RECEIVERS_FILE (--receivers-file): ${JSON.stringify(path)} is not a valid receivers file: ` +
        'receiver "ops" (receivers[0]): minSeverity must be one of Info, Warning, Error, Critical; got "Loud"',
    );
  });

  it('fails the settings for a file that cannot be read', () => {
    const path = join(dir, 'missing.json');

    expect(() =>
      loadSettings(GatewaySettings, { argv: ['--receivers-file', path], env: {} }, RECEIVERS_SETTING_CHECKS),
    ).toThrow(
      /GATEWAY_RECEIVERS_FILE \(--receivers-file\): ".*missing\.json" is not a valid receivers file: cannot be read: ENOENT/,
    );
  });

  it('validates GATEWAY_EXTERNAL_URL', () => {
    expect(
      loadSettings(GatewaySettings, { argv: ['--external-url', 'https://gw.example.com'], env: {} }).externalUrl,
    ).toBe('https://gw.example.com');
    expect(() => loadSettings(GatewaySettings, { argv: ['--external-url', 'gw'], env: {} })).toThrow(
      'invalid setting GATEWAY_EXTERNAL_URL (--external-url): "gw" must be empty or an http:// or https:// URL',
    );
  });
});

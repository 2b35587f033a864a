import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from '@app/testing';

// A bad Alertmanager target stops the gateway at start: exit code 2 and one
// line that names the target and the field.

describe('gateway process: Alertmanager targets configuration', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gateway-alertmanagers-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function startWith(alertmanagers: unknown[]): Promise<{ code: number | null; stderr: string; file: string }> {
    const file = join(dir, `targets-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ alertmanagers }));
    const result = await runApp('gateway', ['--receivers-file', file, '--data-dir', join(dir, 'data')]);
    return { code: result.code, stderr: result.stderr, file };
  }

  const prefix = (file: string) =>
    `invalid setting GATEWAY_RECEIVERS_FILE (--receivers-file): ${JSON.stringify(file)} is not a valid receivers file: `;

  it('refuses an unknown field', async () => {
    const { code, stderr, file } = await startWith([{ name: 'am', urls: ['http://am:9093'], route: 'x' }]);
    expect(code).toBe(2);
    expect(stderr).toBe(`${prefix(file)}alertmanager "am" (alertmanagers[0]): route is not a known field; got "x"\n`);
  });

  it('refuses a bad URL', async () => {
    const { code, stderr, file } = await startWith([{ name: 'am', urls: ['http://am:9093', 'am:9093'] }]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `${prefix(file)}alertmanager "am" (alertmanagers[0]): urls must be a list of http:// or https:// URLs; got ["http://am:9093","am:9093"]\n`,
    );
  });

  it('refuses an unreadable CA file', async () => {
    const ca = join(dir, 'missing-ca.pem');
    const { code, stderr, file } = await startWith([{ name: 'am', urls: ['https://am:9093'], tlsCaFile: ca }]);
    expect(code).toBe(2);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toContain(`${prefix(file)}alertmanager "am" (alertmanagers[0]): tlsCaFile cannot be read: ENOENT`);
  });

  it('refuses a CA file that is not a certificate', async () => {
    const ca = join(dir, 'not-a-ca.pem');
    writeFileSync(ca, 'hello');
    const { code, stderr } = await startWith([{ name: 'am', urls: ['https://am:9093'], tlsCaFile: ca }]);
    expect(code).toBe(2);
    expect(stderr).toContain('alertmanager "am" (alertmanagers[0]): tlsCaFile is not a PEM certificate');
  });

  it('refuses a target without URLs, and both basic auth and a bearer token', async () => {
    const { code, stderr } = await startWith([
      { name: 'a', urls: [] },
      { name: 'b', urls: ['http://am:9093'], basicAuth: { username: 'u', password: 'p' }, bearerToken: 't' },
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('alertmanager "a" (alertmanagers[0]): urls must list at least one Alertmanager URL');
    expect(stderr).toContain('alertmanager "b" (alertmanagers[1]): bearerToken cannot be combined with basicAuth');
  });
});

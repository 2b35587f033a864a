import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminHeaders, runApp, scrapeMetrics, spawnApp } from '@app/testing';

describe('gateway process: receivers configuration', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gateway-receivers-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with an invalid receivers file: exit code 2, one line naming the receiver and field', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        receivers: [
          { name: 'ops', url: 'https://hooks.example.com/a' },
          { name: 'pager', url: 'https://hooks.example.com/b', minSeverity: 'Loud' },
        ],
      }),
    );

    const result = await runApp('gateway', ['--receivers-file', file, '--data-dir', join(dir, 'data')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `invalid setting GATEWAY_RECEIVERS_FILE (--receivers-file): ${JSON.stringify(file)} is not a valid receivers file: ` +
        'receiver "pager" (receivers[1]): minSeverity must be one of Info, Warning, Error, Critical; got "Loud"\n',
    );
  });

  it('refuses a receivers file that does not exist the same way', async () => {
    const result = await runApp('gateway', [], { env: { GATEWAY_RECEIVERS_FILE: join(dir, 'missing.json') } });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GATEWAY_RECEIVERS_FILE (--receivers-file)');
    expect(result.stderr).toContain('cannot be read: ENOENT');
  });

  it('starts without receivers by default, and says so in the API and metrics', async () => {
    const gateway = await spawnApp('gateway');
    try {
      const response = await fetch(`http://${gateway.httpAddress}/api/v1/receivers`, {
        headers: adminHeaders(gateway.httpAddress),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ receivers: [] });
      const metrics = await scrapeMetrics(gateway.httpAddress);
      expect(metrics.text).toContain('# TYPE gateway_receiver_deliveries_total counter');
      expect(metrics.samples.filter((sample) => sample.name.startsWith('gateway_receiver_'))).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });
});

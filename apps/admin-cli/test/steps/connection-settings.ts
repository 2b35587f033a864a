import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClusterView } from '@app/admin-api';
import { freePort, gatewayAdmin } from '@app/testing';
import { CLUSTER, json, startCli, type AdminCliSession } from './built-cli.js';

/** Where the gateway and the admin token come from (flags, environment, config file), and what a wrong one does. */
export function connectionSettingsSteps(session: AdminCliSession): void {
  const { run } = session;

  describe('where the gateway and the token come from', () => {
    it('a config file (YAML: gateway, tokenFile relative to it, output) serves when flags and environment are silent', async () => {
      const { gateway, tokenFile } = session;
      const dir = mkdtempSync(join(tmpdir(), 'admin-cli-config-'));
      try {
        writeFileSync(join(dir, 'token'), `${readFileSync(tokenFile, 'utf8').trim()}\n`);
        writeFileSync(
          join(dir, 'admin.yaml'),
          `gateway: http://${gateway.httpAddress}\ntokenFile: token\noutput: json\n`,
        );
        const viaFlag = await startCli(['clusters', 'list', '--config', join(dir, 'admin.yaml')], {}).result;
        expect(json<{ clusters: ClusterView[] }>(viaFlag).clusters.map((c) => c.id)).toContain(CLUSTER);
        // The default place: $XDG_CONFIG_HOME/downstream/admin.yaml.
        const xdg = join(dir, 'xdg');
        await promisify(execFile)('mkdir', ['-p', join(xdg, 'downstream')]);
        writeFileSync(
          join(xdg, 'downstream', 'admin.yaml'),
          `gateway: http://${gateway.httpAddress}\ntokenFile: ${join(dir, 'token')}\n`,
        );
        const viaDefault = await startCli(['clusters', 'list'], { XDG_CONFIG_HOME: xdg }).result;
        expect(viaDefault.code).toBe(0);
        expect(viaDefault.stdout).toContain(CLUSTER);

        // The environment beats the file, a flag beats the environment.
        const down = `http://127.0.0.1:${await freePort()}`;
        expect(
          (await startCli(['clusters', 'list'], { XDG_CONFIG_HOME: xdg, DOWNSTREAM_GATEWAY_URL: down }).result).code,
        ).toBe(3);
        expect(
          (
            await startCli(['clusters', 'list', '--gateway', gateway.httpAddress], {
              XDG_CONFIG_HOME: xdg,
              DOWNSTREAM_GATEWAY_URL: down,
            }).result
          ).code,
        ).toBe(0);

        writeFileSync(join(dir, 'bad.yaml'), 'gatway: http://x\n');
        const bad = await startCli(['clusters', 'list', '--config', join(dir, 'bad.yaml')], {}).result;
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('gatway: unknown key');
        expect((await startCli(['clusters', 'list', '--config', join(dir, 'missing.yaml')], {}).result).code).toBe(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('GATEWAY_ADMIN_TOKEN and --token serve too', async () => {
      const { gateway, tokenFile } = session;
      const token = readFileSync(tokenFile, 'utf8').trim();
      const gatewayUrl = { DOWNSTREAM_GATEWAY_URL: `http://${gateway.httpAddress}` };
      expect((await startCli(['tokens', 'list'], { ...gatewayUrl, GATEWAY_ADMIN_TOKEN: token }).result).code).toBe(0);
      expect((await startCli(['tokens', 'list', '--token', token], gatewayUrl).result).code).toBe(0);
    });

    /** One run of every command, as far as it goes before needing the gateway. */
    const EVERY_COMMAND = [
      ['tokens', 'create'],
      ['tokens', 'list'],
      ['tokens', 'revoke', 'abc'],
      ['clusters', 'list'],
      ['clusters', 'show', CLUSTER],
      ['clusters', 'delete', CLUSTER, '--yes'],
      ['alerting', 'install', CLUSTER],
      ['alerting', 'status', CLUSTER],
      ['alerting', 'uninstall', CLUSTER, '--yes'],
      ['alerting', 'cancel', CLUSTER],
      ['notifications', 'list'],
      ['notifications', 'tail'],
    ];

    it('every command with a wrong admin token: exit 4 (401), saying where the admin token is', async () => {
      const { gateway } = session;
      for (const command of EVERY_COMMAND) {
        const result = await run([...command, '--token', 'not-the-admin-token-0123456789']);
        expect({ command, code: result.code }).toEqual({ command, code: 4 });
        expect(result.stderr).toContain('HTTP 401');
        expect(result.stderr).toContain('admin-token');
      }
      // No token at all: the same.
      const none = await startCli(['clusters', 'list'], { DOWNSTREAM_GATEWAY_URL: `http://${gateway.httpAddress}` })
        .result;
      expect(none.code).toBe(4);
      // The cluster is still there: nothing was done with the wrong token.
      expect((await gatewayAdmin(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`)).status).toBe(200);
    });

    it('every command with the gateway down: exit 3, naming the address', async () => {
      const down = `127.0.0.1:${await freePort()}`;
      for (const command of EVERY_COMMAND) {
        const result = await run([...command, '--gateway', down]);
        expect({ command, code: result.code }).toEqual({ command, code: 3 });
        expect(result.stderr).toContain(`cannot reach the gateway at http://${down}`);
      }
    });
  });
}

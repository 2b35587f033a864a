import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type {
  ClusterView,
  CreatedTokenView,
  NotificationListJson,
  NotificationJson,
  TaskStatusView,
  TokenView,
} from '@app/admin-api';
import {
  fetchGatewayNotifications,
  freePort,
  gatewayAdmin,
  joinArgs,
  notifyAll,
  repoRoot,
  scrapeMetrics,
  spawnApp,
  waitFor,
  type SpawnedApp,
} from '@app/testing';

/** Where `nest build admin-cli` (part of `npm run build`) puts the CLI. */
const cli = join(repoRoot, 'dist/apps/admin-cli/apps/admin-cli/src/main.js');
const CLUSTER = 'cli-a';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A home without a config file, so that a developer's ~/.config never leaks into a test. */
const home = mkdtempSync(join(tmpdir(), 'admin-cli-home-'));

/** The environment of a CLI run: nothing of ours from the test's own environment, HOME empty. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  for (const name of Object.keys(env)) if (/^(DOWNSTREAM_|GATEWAY_|XDG_CONFIG_HOME$)/.test(name)) delete env[name];
  return env;
}

/** Starts the built CLI; stdin is /dev/null (not a terminal: destructive commands need --yes). */
function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const result = new Promise<CliResult>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, result };
}

describe('downstream-admin (the built CLI) against a real gateway and agent', () => {
  let gateway: SpawnedApp;
  let agent: SpawnedApp;
  /** The gateway's URL and admin token file, as an operator's shell would set them. */
  let env: NodeJS.ProcessEnv;
  let tokenFile: string;

  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => startCli(args, { ...env, ...extraEnv }).result;
  /** Waits until the gateway counts `count` SSE subscribers (a tail has subscribed, or has gone). */
  const sseSubscribers = (count: number) =>
    waitFor(
      async () =>
        ((await scrapeMetrics(gateway.httpAddress)).value('gateway_notification_subscribers', { feed: 'sse' }) ?? 0) ===
        count,
      { timeoutMs: 30_000, description: `${count} SSE subscribers at the gateway` },
    );
  const json = <T>(result: CliResult): T => {
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    if (!existsSync(cli)) {
      await promisify(execFile)(join(repoRoot, 'node_modules/.bin/nest'), ['build', 'admin-cli'], { cwd: repoRoot });
    }
    gateway = await spawnApp('gateway');
    tokenFile = join(gateway.dataDir, 'admin-token');
    env = { DOWNSTREAM_GATEWAY_URL: `http://${gateway.httpAddress}`, DOWNSTREAM_ADMIN_TOKEN_FILE: tokenFile };
    agent = await spawnApp('agent', { args: await joinArgs(gateway, CLUSTER, { labels: { env: 'e2e' } }) });
    await waitFor(
      async () =>
        (await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`)).body.connected,
      { timeoutMs: 30_000, description: 'the agent to join and connect' },
    );
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    await gateway?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  describe('help and version', () => {
    it('prints its help with the commands and the exit statuses, exit 0', async () => {
      const result = await run(['--help']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      for (const text of [
        'tokens',
        'clusters',
        'alerting',
        'notifications',
        '--output',
        'Exit status',
        'admin-token',
      ]) {
        expect(result.stdout).toContain(text);
      }
    });

    it("prints the package's version, exit 0", async () => {
      const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
      expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    });

    it('refuses an unknown command, flag or output format with exit 2, sending nothing', async () => {
      expect(await run(['clusters', 'frobnicate'])).toMatchObject({ code: 2 });
      expect(await run(['clusters', 'list', '--frob'])).toMatchObject({ code: 2 });
      const bad = await run(['clusters', 'list', '-o', 'xml']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--output: "xml" is not one of table, json, yaml');
      expect((await run(['notifications', 'list', '--severity', 'loud'])).code).toBe(2);
      expect((await run(['notifications', 'list', '--since', 'yesterday'])).code).toBe(2);
    });
  });

  describe('tokens', () => {
    it('create prints the token, pin and join command once; list shows it without the secret; revoke revokes it', async () => {
      const created = json<CreatedTokenView>(
        await run([
          'tokens',
          'create',
          '--ttl',
          '2h',
          '--max-usages',
          '3',
          '-l',
          'team=sre',
          '-l',
          'env=prod',
          '-o',
          'json',
        ]),
      );
      expect(created).toMatchObject({ state: 'active', maxUsages: 3, usages: 0, labels: { team: 'sre', env: 'prod' } });
      expect(created.token.startsWith(`${created.id}.`)).toBe(true);
      expect(created.joinCommand).toContain(created.token);
      expect(Date.parse(created.expiresAt!) - Date.parse(created.createdAt)).toBe(2 * 3_600_000);

      const table = await run(['tokens', 'create']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^Token: +\S+\.\S+$/m);
      const token = /^Token: +(\S+\.\S+)$/m.exec(table.stdout)![1];
      expect(table.stdout).toMatch(/^Join command: +helm upgrade --install /m);
      expect(table.stdout).toContain(`--set join.token=${token}`);
      expect(table.stderr).toContain('shown only this once');

      const listed = await run(['tokens', 'list', '-o', 'yaml']);
      expect(listed.code).toBe(0);
      const tokens = (parseYaml(listed.stdout) as { tokens: TokenView[] }).tokens;
      expect(tokens.find((t) => t.id === created.id)).toMatchObject({ state: 'active', labels: { team: 'sre' } });
      expect(listed.stdout).not.toContain(created.token);

      const listTable = await run(['tokens', 'list']);
      expect(listTable.stdout.split('\n')[0]).toMatch(/^ID +STATE +USES +EXPIRES +CREATED +LABELS$/);
      expect(listTable.stdout).toMatch(new RegExp(`^${created.id} +active +0/3 `, 'm'));

      expect(json<TokenView>(await run(['tokens', 'revoke', created.id, '-o', 'json']))).toMatchObject({
        id: created.id,
        state: 'revoked',
      });
      const after = json<{ tokens: TokenView[] }>(await run(['tokens', 'list', '-o', 'json']));
      expect(after.tokens.find((t) => t.id === created.id)?.state).toBe('revoked');
    });

    it("create with a bad --ttl: the gateway's message naming the field, exit 1, no token made", async () => {
      const before = json<{ tokens: TokenView[] }>(await run(['tokens', 'list', '-o', 'json'])).tokens.length;
      const result = await run(['tokens', 'create', '--ttl', 'soon']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^downstream-admin: ttl: must be .*\(HTTP 400\)$/m);
      expect(json<{ tokens: TokenView[] }>(await run(['tokens', 'list', '-o', 'json'])).tokens).toHaveLength(before);
    });

    it('revoke of an unknown token: exit 5 (404)', async () => {
      const result = await run(['tokens', 'revoke', '000000000000']);
      expect(result.code).toBe(5);
      expect(result.stderr).toContain('HTTP 404');
    });
  });

  describe('clusters', () => {
    it('list shows the joined cluster as a table, JSON and YAML; -l selects by label', async () => {
      const table = await run(['clusters', 'list']);
      expect(table.code).toBe(0);
      const [header, ...rows] = table.stdout.trimEnd().split('\n');
      expect(header).toMatch(
        /^ID +CONNECTED +ALERTING +HEALTH +QUEUED +AGENT +LAST CONNECTED +LAST NOTIFICATION +LABELS$/,
      );
      expect(rows.find((line) => line.startsWith(`${CLUSTER} `))).toMatch(/ yes +\S.* env=e2e$/);

      const listed = json<{ clusters: ClusterView[] }>(await run(['clusters', 'list', '-o', 'json']));
      expect(listed.clusters.find((c) => c.id === CLUSTER)).toMatchObject({ connected: true, labels: { env: 'e2e' } });
      const yaml = parseYaml((await run(['clusters', 'list', '-o', 'yaml'])).stdout) as { clusters: ClusterView[] };
      expect(yaml.clusters.map((c) => c.id)).toEqual(listed.clusters.map((c) => c.id));

      expect(
        json<{ clusters: ClusterView[] }>(await run(['clusters', 'list', '-l', 'env=e2e', '-o', 'json'])).clusters.map(
          (c) => c.id,
        ),
      ).toEqual([CLUSTER]);
      expect(
        json<{ clusters: ClusterView[] }>(await run(['clusters', 'list', '-l', 'env=nope', '-o', 'json'])).clusters,
      ).toEqual([]);
    });

    it('show prints one cluster; an unknown one is exit 5 (404)', async () => {
      const shown = await run(['clusters', 'show', CLUSTER]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^ID: +${CLUSTER}$`, 'm'));
      expect(shown.stdout).toMatch(/^Connected: +yes$/m);
      expect(shown.stdout).toMatch(/^Annotations: +\S+=/m);
      expect(shown.stdout).toMatch(/^ +queue\.count=\d+$/m);
      expect(json<ClusterView>(await run(['clusters', 'show', CLUSTER, '-o', 'json']))).toMatchObject({
        id: CLUSTER,
        connected: true,
      });
      const unknown = await run(['clusters', 'show', 'no-such-cluster']);
      expect(unknown.code).toBe(5);
      expect(unknown.stderr).toMatch(/no-such-cluster.*\(HTTP 404\)/);
    });

    it('delete asks for --yes without a terminal (exit 2, nothing deleted); an unknown cluster is exit 5', async () => {
      const refused = await run(['clusters', 'delete', CLUSTER]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--yes');
      expect((await gatewayAdmin(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`)).status).toBe(200);
      expect((await run(['clusters', 'delete', 'no-such-cluster', '--yes'])).code).toBe(5);
    });
  });

  describe('alerting and notifications', () => {
    it('install: Success, exit 0; status shows it installed and enabled at the agent; unknown cluster: exit 5', async () => {
      const installed = await run(['alerting', 'install', CLUSTER]);
      expect(installed).toMatchObject({ code: 0, stdout: `alerting on ${CLUSTER}: Success\n` });
      const status = await waitFor(
        async () => {
          const shown = json<{ capability: string; node: { enabled: boolean } | null }>(
            await run(['alerting', 'status', CLUSTER, '-o', 'json']),
          );
          return shown.node?.enabled === true && shown;
        },
        { timeoutMs: 30_000, description: 'the agent to report alerting enabled' },
      );
      expect(status).toMatchObject({ capability: 'installed', uninstall: null });
      const table = await run(['alerting', 'status', CLUSTER]);
      expect(table.stdout).toMatch(/^Alerting: +installed$/m);
      expect(table.stdout).toMatch(/^Agent enabled: +yes$/m);

      expect((await run(['alerting', 'install', 'no-such-cluster'])).code).toBe(5);
      expect((await run(['alerting', 'status', 'no-such-cluster'])).code).toBe(5);
    });

    it('notifications list applies the filters at the gateway, follows pages, and prints table, JSON and YAML', async () => {
      const ids = Array.from({ length: 7 }, (_, i) => `cli-list-${i}`);
      const severities = ['info', 'warning', 'error', 'critical', 'critical', 'info', 'error'];
      await notifyAll(
        agent.grpcAddress,
        ids.map((id, i) => ({ id, severity: severities[i] })),
      );
      await waitFor(
        async () => {
          const stored = new Set((await fetchGatewayNotifications(gateway.httpAddress)).map((n) => n.id));
          return ids.every((id) => stored.has(id));
        },
        { timeoutMs: 30_000, description: 'the notifications to reach the gateway' },
      );

      const critical = json<NotificationListJson>(
        await run(['notifications', 'list', '--cluster', CLUSTER, '--severity', 'CRITICAL', '-o', 'json']),
      );
      expect(critical.notifications.map((n) => n.id).sort()).toEqual(['cli-list-3', 'cli-list-4']);
      expect(critical.nextCursor).toBeNull();

      const severe = json<NotificationListJson>(
        await run(['notifications', 'list', '-s', 'critical', '-s', 'error', '--since', '1h', '-o', 'json']),
      );
      expect(severe.notifications).toHaveLength(4);
      expect(severe.notifications.every((n) => ['Critical', 'Error'].includes(n.severity))).toBe(true);
      const future = json<NotificationListJson>(
        await run(['notifications', 'list', '--since', '2999-01-01T00:00:00Z', '-o', 'json']),
      );
      expect(future.notifications).toEqual([]);

      // --limit 3: three, newest first, and the cursor for the rest; --cursor continues; --all gets every one.
      const first = json<NotificationListJson>(await run(['notifications', 'list', '--limit', '3', '-o', 'json']));
      expect(first.notifications).toHaveLength(3);
      expect(first.nextCursor).not.toBeNull();
      const seqs = first.notifications.map((n) => BigInt(n.seq));
      expect([...seqs].sort((a, b) => (a > b ? -1 : 1))).toEqual(seqs);
      const rest = json<NotificationListJson>(
        await run(['notifications', 'list', '--cursor', first.nextCursor!, '--all', '-o', 'json']),
      );
      const all = json<NotificationListJson>(await run(['notifications', 'list', '--all', '-o', 'json']));
      expect([...first.notifications, ...rest.notifications].map((n) => n.id)).toEqual(
        all.notifications.map((n) => n.id),
      );
      expect(all.notifications.length).toBeGreaterThanOrEqual(7);

      const table = await run(['notifications', 'list', '--limit', '2']);
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n')[0]).toMatch(/^RECEIVED +SEVERITY +SIGNAL +CLUSTER +TITLE +ID$/);
      expect(table.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(table.stderr).toContain('More match: add --cursor ');

      const yaml = parseYaml(
        (await run(['notifications', 'list', '--limit', '2', '-o', 'yaml'])).stdout,
      ) as NotificationListJson;
      expect(yaml.notifications.map((n) => n.id)).toEqual(all.notifications.slice(0, 2).map((n) => n.id));

      // A bad filter the CLI passes on is refused by the gateway naming it.
      const badTime = await run(['notifications', 'list', '--until', '2030-02-31T00:00:00Z']);
      expect(badTime.code).toBe(1);
      expect(badTime.stderr).toContain('until:');
    });

    it('notifications tail --after replays stored ones, then follows live ones matching its filters, and stops after --count', async () => {
      const stored = (await fetchGatewayNotifications(gateway.httpAddress)).sort((a, b) =>
        BigInt(a.seq) < BigInt(b.seq) ? -1 : 1,
      );
      // Replay: the two stored after the first one, in seq order.
      const replay = await run(['notifications', 'tail', '--after', stored[0].seq, '--count', '2', '-o', 'json']);
      expect(replay.code).toBe(0);
      const replayed = replay.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as NotificationJson);
      expect(replayed.map((n) => n.seq)).toEqual([stored[1].seq, stored[2].seq]);

      // Live: Error and up from this cluster, in a table; an Info in between is not shown.
      await sseSubscribers(0);
      const tail = startCli(['notifications', 'tail', '--cluster', CLUSTER, '--min-severity', 'error', '-n', '2'], env);
      await sseSubscribers(1);
      await notifyAll(agent.grpcAddress, [
        { id: 'cli-tail-info', severity: 'info' },
        { id: 'cli-tail-error', severity: 'error' },
        { id: 'cli-tail-critical', severity: 'critical' },
      ]);
      const result = await tail.result;
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^RECEIVED +SEVERITY +SIGNAL +CLUSTER +TITLE +ID$/);
      expect(
        lines
          .slice(1)
          .map((line) => line.split(/ {3,}/).at(-1))
          .sort(),
      ).toEqual(['cli-tail-critical', 'cli-tail-error']);
    });

    it('tail stops cleanly on SIGINT with exit 0', async () => {
      await sseSubscribers(0);
      const tail = startCli(['notifications', 'tail', '-o', 'json'], env);
      await sseSubscribers(1);
      tail.child.kill('SIGINT');
      expect((await tail.result).code).toBe(0);
      await sseSubscribers(0);
    });

    it('uninstall: refused without --yes; --initial-delay then cancel: Canceled; then waits for Completed with progress', async () => {
      const refused = await run(['alerting', 'uninstall', CLUSTER, '--delete-stored-data']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('delete its stored notifications');
      expect((await run(['alerting', 'status', CLUSTER, '-o', 'json'])).stdout).toContain('"capability": "installed"');

      const pending = json<TaskStatusView>(
        await run(['alerting', 'uninstall', CLUSTER, '--initial-delay', '1h', '--no-wait', '--yes', '-o', 'json']),
      );
      expect(pending.state).toBe('Pending');
      // A second uninstall while one is pending: 409, exit 1.
      const again = await run(['alerting', 'uninstall', CLUSTER, '--yes']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('HTTP 409');
      expect(json<TaskStatusView>(await run(['alerting', 'cancel', CLUSTER, '-o', 'json'])).state).toBe('Canceled');
      expect(json<{ capability: string }>(await run(['alerting', 'status', CLUSTER, '-o', 'json'])).capability).toBe(
        'installed',
      );

      const before = (await fetchGatewayNotifications(gateway.httpAddress, { cluster: CLUSTER })).length;
      expect(before).toBeGreaterThan(0);
      const done = await run([
        'alerting',
        'uninstall',
        CLUSTER,
        '--delete-stored-data',
        '--yes',
        '--interval',
        '200ms',
      ]);
      expect(done.code).toBe(0);
      expect(done.stderr).toMatch(/uninstall of alerting from cli-a: Completed/);
      expect(done.stderr).toMatch(/deleted \d+ stored notifications of cluster cli-a/);
      expect(done.stdout).toMatch(/^Uninstall: +Completed/m);
      expect(await fetchGatewayNotifications(gateway.httpAddress, { cluster: CLUSTER })).toEqual([]);

      const status = await run(['alerting', 'status', CLUSTER]);
      expect(status.stdout).toMatch(/^Alerting: +not installed$/m);
      expect(status.stdout).toMatch(/^Uninstall: +Completed/m);
      // Not installed: uninstalling again is a 409 (exit 1); cancelling a finished task too.
      expect((await run(['alerting', 'uninstall', CLUSTER, '--yes'])).code).toBe(1);
      expect((await run(['alerting', 'cancel', 'no-such-cluster'])).code).toBe(5);
    });
  });

  describe('where the gateway and the token come from', () => {
    it('a config file (YAML: gateway, tokenFile relative to it, output) serves when flags and environment are silent', async () => {
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

  // Last: it disconnects the agent for good.
  it('clusters delete --yes deletes the cluster and disconnects its agent; show is then exit 5', async () => {
    const deleted = await run(['clusters', 'delete', CLUSTER, '--yes']);
    expect(deleted).toMatchObject({ code: 0, stdout: `cluster ${CLUSTER} deleted\n` });
    expect((await run(['clusters', 'show', CLUSTER])).code).toBe(5);
    expect((await run(['clusters', 'list', '-o', 'json'])).stdout).not.toContain(`"${CLUSTER}"`);
  });
});

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterView } from '@app/admin-api';
import { gatewayAdmin, joinArgs, repoRoot, scrapeMetrics, spawnApp, waitFor, type SpawnedApp } from '@app/testing';
import { alertingAndNotificationsSteps } from './steps/alerting-and-notifications.js';
import { buildCliIfMissing, CLUSTER, home, startCli, type AdminCliSession } from './steps/built-cli.js';
import { connectionSettingsSteps } from './steps/connection-settings.js';
import { tokensAndClustersSteps } from './steps/tokens-and-clusters.js';

// downstream-admin, built, against one real gateway and agent that every step
// shares, in order: help and version here, then tokens and clusters, alerting
// and notifications, where the gateway and token come from (steps/), and last
// the deletion of the cluster.

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
  const session: AdminCliSession = {
    get gateway() {
      return gateway;
    },
    get agent() {
      return agent;
    },
    get env() {
      return env;
    },
    get tokenFile() {
      return tokenFile;
    },
    run,
    sseSubscribers,
  };

  beforeAll(async () => {
    await buildCliIfMissing();
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

  tokensAndClustersSteps(session);
  alertingAndNotificationsSteps(session);
  connectionSettingsSteps(session);

  // Last: it disconnects the agent for good.
  it('clusters delete --yes deletes the cluster and disconnects its agent; show is then exit 5', async () => {
    const deleted = await run(['clusters', 'delete', CLUSTER, '--yes']);
    expect(deleted).toMatchObject({ code: 0, stdout: `cluster ${CLUSTER} deleted\n` });
    expect((await run(['clusters', 'show', CLUSTER])).code).toBe(5);
    expect((await run(['clusters', 'list', '-o', 'json'])).stdout).not.toContain(`"${CLUSTER}"`);
  });
});

import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterView } from '@app/admin-api';
import { gatewayAdmin, joinArgs, repoRoot, spawnApp, waitFor, type SpawnedApp } from '@app/testing';

// Versions come from package.json (issue 29): the agent says its own in the
// session's hello, the gateway shows it per cluster and says its own in the
// welcome. To see that it is package.json's, not a constant that happens to
// match, the built apps also run from a copy of dist/ under a package.json of
// another version.

const ownVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** dist/ copied under a package.json saying `version`; node_modules is this checkout's. */
function releaseOf(version: string): { root: string; entry: (app: 'gateway' | 'agent') => string } {
  const root = mkdtempSync(join(tmpdir(), 'release-'));
  cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'downstream-alerting', version, type: 'module' }));
  return { root, entry: (app) => join(root, 'dist/apps', app, 'apps', app, 'src/main.js') };
}

describe('versions', () => {
  const started: SpawnedApp[] = [];
  const temporary: string[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.stop('SIGKILL')));
    for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function connectedPair(entry?: (app: 'gateway' | 'agent') => string) {
    const gateway = await spawnApp('gateway', { entry: entry?.('gateway') });
    started.push(gateway);
    const agent = await spawnApp('agent', { entry: entry?.('agent'), args: await joinArgs(gateway, 'versioned') });
    started.push(agent);
    const cluster = await waitFor(
      async () => {
        const { body } = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', '/api/v1/clusters/versioned');
        return body.connected && body;
      },
      { timeoutMs: 30_000, description: 'the agent to connect' },
    );
    const welcomed = await waitFor(() => agent.logs.find((line) => line.event === 'gateway-connected'), {
      timeoutMs: 10_000,
      description: 'the agent to log gateway-connected',
    });
    return { agentVersion: cluster.agentVersion, gatewayVersion: welcomed.gatewayVersion };
  }

  it("the gateway reports the agent's version from package.json, and the agent the gateway's", async () => {
    expect(await connectedPair()).toEqual({ agentVersion: ownVersion, gatewayVersion: ownVersion });
  });

  it('a release with another version in its package.json reports that version, with no code change', async () => {
    const release = releaseOf('9.8.7-test.1');
    temporary.push(release.root);
    expect(await connectedPair(release.entry)).toEqual({
      agentVersion: '9.8.7-test.1',
      gatewayVersion: '9.8.7-test.1',
    });
  });
});

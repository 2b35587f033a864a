import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gatewayAdmin, installAlerting, joinArgs, repoRoot, spawnApp, type SpawnedApp } from '@app/testing';

// The Dockerfile's runtime stage, without Docker: the built dist/ beside
// `npm ci --omit=dev` in a scratch folder outside the checkout (so nothing
// resolves from the checkout's node_modules), then the gateway and an agent
// started from it, the agent joined and synced. A runtime import of a
// devDependency, or of something not declared at all, fails here.
//
// Cost: npm ci reuses npm's cache (--prefer-offline). Install scripts are
// skipped and better-sqlite3's native module is copied from the checkout's
// install (same version, same Node): compiling SQLite again would take
// minutes on a CI machine, and the image compiles it for its own Node.

const SQLITE_ADDON = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

/** Every file under `dir` with its size and mtime, to see that running wrote nothing there. */
function snapshot(dir: string): string[] {
  const entries: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else entries.push(`${relative(dir, path)} ${stat.size} ${stat.mtimeMs}`);
    }
  };
  walk(dir);
  return entries.sort();
}

describe('the production dependencies start both apps (the image, without Docker)', () => {
  let app: string;
  const started: SpawnedApp[] = [];

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'production-app-'));
    cpSync(join(repoRoot, 'package.json'), join(app, 'package.json'));
    cpSync(join(repoRoot, 'package-lock.json'), join(app, 'package-lock.json'));
    execFileSync(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: app, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
    );
    const version = (root: string) =>
      (JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string })
        .version;
    expect(version(app)).toBe(version(repoRoot));
    mkdirSync(join(app, SQLITE_ADDON, '..'), { recursive: true });
    cpSync(join(repoRoot, SQLITE_ADDON), join(app, SQLITE_ADDON));
    cpSync(join(repoRoot, 'dist'), join(app, 'dist'), { recursive: true });
    cpSync(join(repoRoot, 'deploy/image/kube-cluster-id.mjs'), join(app, 'bin/kube-cluster-id.mjs'));
  }, 600_000);

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(app, { recursive: true, force: true });
  });

  it('holds no package the lockfile marks dev-only, and the runtime ones', () => {
    const { packages } = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.keys(packages).filter((path) => path !== '' && packages[path].dev);
    expect(devOnly.length).toBeGreaterThan(100);
    expect(devOnly.filter((path) => existsSync(join(app, path)))).toEqual([]);
    for (const runtime of ['better-sqlite3', '@grpc/grpc-js', '@nestjs/core', '@peculiar/x509']) {
      expect([runtime, existsSync(join(app, 'node_modules', runtime))]).toEqual([runtime, true]);
    }
  });

  it('runs the gateway and an agent from it: joined, synced, the admin page served, nothing written outside the data directories', async () => {
    const before = snapshot(app);
    const env = (dataDir: string) => ({ NODE_ENV: 'production', SQLITE_TMPDIR: dataDir, TMPDIR: dataDir });
    const gatewayData = mkdtempSync(join(tmpdir(), 'production-gateway-'));
    const gateway = await spawnApp('gateway', {
      entry: join(app, 'dist/apps/gateway/apps/gateway/src/main.js'),
      dataDir: gatewayData,
      env: env(gatewayData),
      readyTimeoutMs: 120_000,
    });
    started.push(gateway);
    const agentData = mkdtempSync(join(tmpdir(), 'production-agent-'));
    const agent = await spawnApp('agent', {
      entry: join(app, 'dist/apps/agent/apps/agent/src/main.js'),
      dataDir: agentData,
      env: env(agentData),
      args: await joinArgs(gateway, 'production-deps'),
      readyTimeoutMs: 120_000,
    });
    started.push(agent);
    await installAlerting(gateway.httpAddress, 'production-deps', 60_000);

    const page = await fetch(`http://${gateway.httpAddress}/admin/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect((await gatewayAdmin(agent.httpAddress, 'GET', '/healthz')).status).toBe(200);

    await Promise.all(started.splice(0).map((s) => s.stop()));
    expect(snapshot(app)).toEqual(before);
    rmSync(gatewayData, { recursive: true, force: true });
    rmSync(agentData, { recursive: true, force: true });
  }, 300_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import {
  fetchGatewayNotifications,
  freePort,
  gatewayAdmin,
  rememberAdminToken,
  repoRoot,
  waitFor,
  withNotifyClient,
} from '@app/testing';

/** Rows of a classic terminal: what "one screen" means here. */
const ONE_SCREEN = 24;
/** The last line of the screen npm start prints once the agent is connected. */
const READY = 'Ctrl-C stops both.';
/** The same with --replicas. */
const READY_REPLICAS = 'Ctrl-C stops them all and removes the database.';

interface NpmStart {
  npm: ChildProcess;
  /** stdout and stderr, in the order they arrived. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ports: { gatewayGrpc: number; gatewayHttp: number; agentGrpc: number; agentHttp: number };
  dataDir: string;
}

/** A free port whose next `count - 1` ports are free too (replicas take consecutive ports). */
async function freePorts(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const first = await freePort();
    let all = true;
    for (let i = 1; i < count && all; i++) all = first + i < 65_536 && (await free(first + i));
    if (all) return first;
  }
}

/**
 * `npm start` as a person runs it, under the Node running this test (it comes
 * first on PATH, so the script's `node` is this one too), on free ports with its
 * data in a temporary directory, without Alertmanager, without rebuilding dist/
 * (npm test has built it; rebuilding here would pull it from under other tests).
 * In its own process group, so a test can signal the group as a terminal does.
 */
async function npmStart(flags: string[] = [], replicas = 1): Promise<NpmStart> {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const ports = {
    gatewayGrpc: await freePorts(replicas),
    gatewayHttp: await freePorts(replicas),
    agentGrpc: await freePort(),
    agentHttp: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
    GATEWAY_GRPC_PORT: String(ports.gatewayGrpc),
    GATEWAY_HTTP_PORT: String(ports.gatewayHttp),
    AGENT_GRPC_PORT: String(ports.agentGrpc),
    AGENT_HTTP_PORT: String(ports.agentHttp),
    GATEWAY_DATA_DIR: join(dataDir, 'gateway'),
    AGENT_DATA_DIR: join(dataDir, 'agent'),
    ALERTMANAGER_URL: 'none',
    START_LOCAL_SKIP_BUILD: '1',
  };
  // The defaults npm start chooses are under test: nothing inherited from the test run.
  for (const name of ['LOG_FORMAT', 'LOG_LEVEL', 'LOG_DETAIL', 'npm_config_loglevel']) delete env[name];
  const npmArgs = ['start', ...(flags.length ? ['--', ...flags] : [])];
  const [command, args] = process.env.npm_execpath
    ? [process.execPath, [process.env.npm_execpath, ...npmArgs]]
    : ['npm', npmArgs];
  const npm = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  npm.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  npm.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { npm, output: () => output, exited, ports, dataDir };
}

/** Every process below `pid` (from /proc), e.g. npm → start-local → gateway and agent. */
function descendants(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  const children = existsSync(file) ? readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number) : [];
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
};

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(true) ?? socket.destroy());
    socket.once('error', () => resolve(false));
  });

const running: NpmStart[] = [];

afterEach(async () => {
  for (const started of running.splice(0)) {
    try {
      process.kill(-started.npm.pid!, 'SIGKILL'); // only if a test failed half-way
    } catch {
      // gone already
    }
    rmSync(started.dataDir, { recursive: true, force: true });
  }
});

/** Starts npm start and waits for its ready screen; returns it with the processes it runs. */
async function ready(flags: string[] = [], replicas = 1): Promise<NpmStart & { screen: string; pids: number[] }> {
  const started = await npmStart(flags, replicas);
  const last = replicas > 1 ? READY_REPLICAS : READY;
  running.push(started);
  let exit: unknown;
  void started.exited.then((e) => (exit = e));
  const screen = await waitFor(
    () => {
      if (exit) throw new Error(`npm start exited (${JSON.stringify(exit)}):\n${started.output()}`);
      const output = started.output();
      const end = output.indexOf(last);
      return end >= 0 && output.slice(0, end + last.length);
    },
    { timeoutMs: 120_000, intervalMs: 200, description: `npm start to print "${last}"` },
  );
  const pids = descendants(started.npm.pid!);
  return { ...started, screen, pids };
}

/** Sends `signal` (to npm, or to its whole process group as a terminal's Ctrl-C does) and checks a clean stop. */
async function stopsCleanly(
  started: Awaited<ReturnType<typeof ready>>,
  signal: NodeJS.Signals,
  group = false,
  { apps: appCount = 2, ports = Object.values(started.ports) } = {},
) {
  // npm → start-local (exec'd: no shell between them) → gateway and agent (and their pino-pretty workers are threads)
  const apps = started.pids.filter((pid) => /dist\/apps\/(gateway|agent)\//.test(cmdline(pid)));
  expect(apps).toHaveLength(appCount);
  if (group) process.kill(-started.npm.pid!, signal);
  else started.npm.kill(signal);
  const exit = await Promise.race([
    started.exited,
    new Promise((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000).unref()),
  ]);
  if (typeof exit !== 'object' || (exit as { code: unknown }).code !== 0) {
    // which service stopped how (start-local prints it) is in the output's tail
    throw new Error(`npm start ended ${JSON.stringify(exit)}; its output ends:\n${started.output().slice(-3000)}`);
  }
  expect(exit).toEqual({ code: 0, signal: null });
  await waitFor(() => started.pids.every((pid) => !alive(pid)), {
    timeoutMs: 10_000,
    description: 'every process npm start ran to be gone',
  });
  for (const port of ports) expect(await accepts(port)).toBe(false);
  // every app logged its graceful stop
  expect(started.output().match(/stopped in \d+ ms/g)).toHaveLength(appCount);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

describe('npm start (scripts/start-local.mjs)', () => {
  it('prints at most one screen before it is ready, naming the admin page and its token; SIGTERM to npm stops both apps, exit 0', async () => {
    const started = await ready();
    const lines = started.screen.split('\n');
    expect(lines.length).toBeLessThanOrEqual(ONE_SCREEN);
    // pretty lines, not JSON; no listing of Nest's modules and routes
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(started.screen).not.toMatch(/InstanceLoader|RouterExplorer|request completed/);
    // what a person needs
    const adminToken = readFileSync(join(started.dataDir, 'gateway/admin-token'), 'utf8').trim();
    expect(started.screen).toContain(
      `ready: admin page http://127.0.0.1:${started.ports.gatewayHttp}/admin/ with admin token ${adminToken} `,
    );
    expect(started.screen).toContain('cluster "local", connected');
    expect(started.screen).toContain(`$(cat ${join(started.dataDir, 'agent/admin-token')})`);
    expect(started.screen).toContain('alerting is not installed for cluster "local"');

    await stopsCleanly(started, 'SIGTERM');
  });

  it('SIGINT to npm stops both apps, exit 0', async () => {
    await stopsCleanly(await ready(), 'SIGINT');
  });

  it("Ctrl-C (SIGINT to npm's whole process group, as a terminal sends it) stops both apps, exit 0", async () => {
    await stopsCleanly(await ready(), 'SIGINT', true);
  });

  it('--replicas 2: two gateways on a throwaway PostgreSQL, one admin token; a notification sent through the agent is listed by both; Ctrl-C stops all and removes the database', async () => {
    const started = await ready(['--replicas', '2'], 2);
    const adminToken = readFileSync(join(started.dataDir, 'gateway/admin-token'), 'utf8').trim();
    const replicas = [0, 1].map((i) => ({
      http: `127.0.0.1:${started.ports.gatewayHttp + i}`,
      grpc: `127.0.0.1:${started.ports.gatewayGrpc + i}`,
    }));
    for (const [i, { http, grpc }] of replicas.entries()) {
      expect(started.screen).toContain(`gateway ${i + 1} gRPC ${grpc}, HTTP http://${http}, admin page`);
      expect((await fetch(`http://${http}/healthz`)).status).toBe(200);
      rememberAdminToken(http, adminToken); // the second replica has a copy of the first's token
    }
    expect(started.screen).toContain(`with admin token ${adminToken} `);
    expect(started.screen).toContain('cluster "local", connected');
    const database = /database postgres:\/\/[^@]+@127\.0\.0\.1:(\d+)\/\S+ \(throwaway PostgreSQL in (\S+):/.exec(
      started.screen,
    );
    const databasePort = Number(database?.[1]);
    expect(databasePort).toBeGreaterThan(0);
    expect(existsSync(database![2])).toBe(true);

    const installed = await gatewayAdmin<{ status: string }>(
      replicas[0].http,
      'POST',
      '/api/v1/clusters/local/capabilities/alerting/install',
    );
    expect(installed).toMatchObject({ status: 200, body: { status: 'Success' } });
    const id = `replicas-${process.pid}`;
    await withNotifyClient(`127.0.0.1:${started.ports.agentGrpc}`, (client) =>
      client.notify({ id, message: { title: 'through replica 1', body: 'listed by both', properties: {} } }),
    );
    for (const { http } of replicas) {
      await waitFor(
        async () => (await fetchGatewayNotifications(http, { cluster: 'local' })).some((n) => n.id === id),
        {
          timeoutMs: 20_000,
          description: `${id} listed by the gateway at ${http}`,
        },
      );
    }

    await stopsCleanly(started, 'SIGINT', true, {
      apps: 3,
      ports: [
        ...Object.values(started.ports),
        started.ports.gatewayGrpc + 1,
        started.ports.gatewayHttp + 1,
        databasePort,
      ],
    });
    expect(started.output()).not.toMatch(/ERROR|stopped with code/);
    expect(existsSync(database![2])).toBe(false);
  });
});

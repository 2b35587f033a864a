import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { alerting, serviceDefinitions } from '@app/proto';
import { adminHeaders, repoRoot, spawnApp, type SpawnedApp } from '@app/testing';
import { HELP_LISTS } from './help-listing.js';

/** Where `nest build notify` (part of `npm run build`) puts the CLI. */
const cli = join(repoRoot, 'dist/apps/notify-cli/apps/notify-cli/src/main.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  tookMs: number;
}

/** Runs the built CLI to completion; `input` is piped to its stdin (otherwise stdin is /dev/null). */
function runCli(
  args: string[],
  { env = {}, input }: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, tookMs: Date.now() - started });
    }),
  );
}

/** A loopback port nothing listens on (bound, then released). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface QueueEntry {
  id: string;
  severity: string;
  occurrences: number;
  dedupeKey?: string;
}

describe('downstream-notify (the built CLI) against a real agent', () => {
  let agent: SpawnedApp;
  /** The agent's address through AGENT_ADDRESS, as a cron job would set it. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!existsSync(cli)) {
      await promisify(execFile)(join(repoRoot, 'node_modules/.bin/nest'), ['build', 'notify'], { cwd: repoRoot });
    }
    agent = await spawnApp('agent');
    env = { AGENT_ADDRESS: agent.grpcAddress };
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
  });

  async function queue(): Promise<{ count: number; entries: QueueEntry[] }> {
    const response = await fetch(`http://${agent.httpAddress}/api/v1/queue?limit=100000`, {
      headers: adminHeaders(agent.httpAddress),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { count: number; entries: QueueEntry[] };
  }

  async function queued(id: string): Promise<QueueEntry[]> {
    return (await queue()).entries.filter((entry) => entry.id === id);
  }

  /**
   * The notification as the agent stored it. The queue's HTTP view has no
   * payloads, so this reads the agent's SQLite file (read-only; WAL lets it
   * read beside the agent): table `queue`, column `payload`.
   */
  function stored(id: string): alerting.Notification {
    const db = new Database(join(agent.dataDir, 'queue.db'), { readonly: true, fileMustExist: true });
    try {
      const payload = db.prepare('SELECT payload FROM queue WHERE id = ?').pluck().get(id) as Buffer | undefined;
      if (!payload) throw new Error(`no stored notification ${id}`);
      return alerting.Notification.decode(payload);
    } finally {
      db.close();
    }
  }

  it('prints its help with exit 0', async () => {
    const result = await runCli(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const flag of HELP_LISTS) expect(result.stdout).toContain(flag);
  });

  it("prints the package's version with exit 0", async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('queues a notification: exit 0, prints "queued <id>", and the agent stores its severity and properties', async () => {
    const result = await runCli(
      [
        '--agent',
        agent.grpcAddress,
        '--title',
        'Disk full',
        '--body',
        '/var at 99%',
        '--severity',
        'CRITICAL',
        '--golden-signal',
        'saturation',
        '-p',
        'team=storage',
        '--property',
        'runbook=https://wiki.example/disk?a=b',
      ],
      { env: { AGENT_ADDRESS: `127.0.0.1:${await unusedPort()}` } }, // --agent wins over the environment
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const id = /^queued (\S+)\n$/.exec(result.stdout)?.[1];
    expect(id).toBeDefined();

    expect(await queued(id!)).toEqual([expect.objectContaining({ severity: 'Critical', occurrences: 1 })]);
    expect(stored(id!)).toEqual({
      title: 'Disk full',
      body: '/var at 99%',
      properties: expect.objectContaining({
        opni_severity: 'Critical',
        opni_goldenSignal: 'Saturation',
        team: 'storage',
        runbook: 'https://wiki.example/disk?a=b',
      }),
    });
  });

  it('says "coalesced into <id>" for a second notification with the same --dedupe-key', async () => {
    const key = `disk-${randomUUID()}`;
    const first = await runCli(['--title', 'Disk 90%', '--body', 'first', '--dedupe-key', key], { env });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const id = /^queued (\S+)\n$/.exec(first.stdout)![1];

    const second = await runCli(
      ['--title', 'Disk 95%', '--body', 'second', '--dedupe-key', key, '--severity', 'error'],
      {
        env,
      },
    );
    expect(second).toMatchObject({ code: 0, stdout: `coalesced into ${id}\n`, stderr: '' });

    expect(await queued(id)).toEqual([expect.objectContaining({ severity: 'Error', occurrences: 2, dedupeKey: key })]);
    expect(stored(id)).toMatchObject({
      title: 'Disk 95%',
      body: 'second',
      properties: expect.objectContaining({ opni_dedupe_key: key, opni_occurrences: '2' }),
    });
  });

  it('retries idempotently with --id', async () => {
    const id = `cron-${randomUUID()}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await runCli(['--title', 'Backup', '--body', 'done', '--id', id], { env })).toMatchObject({
        code: 0,
        stdout: `queued ${id}\n`,
      });
    }
    expect(await queued(id)).toHaveLength(1);
  });

  it('reads the body from stdin with --body -', async () => {
    const body = 'Filesystem  Use%\n/dev/sda1   99%\nzwölf € ✓\n';
    const result = await runCli(['--title', 'df', '--body', '-'], { env, input: body });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(stored(/^queued (\S+)\n$/.exec(result.stdout)![1]).body).toBe(body);
  });

  it('prints the response as JSON with --json', async () => {
    const result = await runCli(['--title', 'T', '--body', 'B', '--json'], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const response = JSON.parse(result.stdout) as { id: string; coalesced: boolean };
    expect(response).toEqual({ id: expect.any(String), coalesced: false });
    expect(await queued(response.id)).toHaveLength(1);
  });

  it("lets the agent judge content: a blank title exits 1 with the agent's message, and nothing is queued", async () => {
    const before = (await queue()).count;
    const result = await runCli(['--title', '   ', '--body', 'B'], { env });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'downstream-notify: INVALID_ARGUMENT: message.title: is required and must not be blank\n',
      tookMs: expect.any(Number),
    });
    expect((await queue()).count).toBe(before);
  });

  it.each([
    [['--body', 'B'], "required option '--title <text>' not specified"],
    [['--title', 'T'], "required option '--body <text>' not specified"],
    [['--title', 'T', '--body', 'B', '--severity', 'fatal'], 'Use one of info, warning, error, critical'],
    [['--title', 'T', '--body', 'B', '-p', 'no-equals-sign'], 'Expected key=value'],
    [['--title', 'T', '--body', 'B', '--no-such-flag'], "unknown option '--no-such-flag'"],
  ])('exits 2 on the usage error %j without sending anything', async (args, message) => {
    const before = (await queue()).count;
    const result = await runCli(args, { env });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
    expect((await queue()).count).toBe(before);
  });

  it('exits 3 once --timeout has passed (retrying meanwhile) when nothing listens at the address, naming it', async () => {
    const address = `127.0.0.1:${await unusedPort()}`;
    const result = await runCli(['--title', 'T', '--body', 'B', '--timeout', '2'], { env: { AGENT_ADDRESS: address } });
    expect(result).toMatchObject({ code: 3, stdout: '' });
    expect(result.stderr).toMatch(/^downstream-notify: UNAVAILABLE: /);
    expect(result.stderr).toContain(`no agent answered at ${address} within 2 s`);
    expect(result.tookMs).toBeGreaterThanOrEqual(1_000);
    expect(result.tookMs).toBeLessThan(10_000);
  });

  it('exits 3 with DEADLINE_EXCEEDED when the agent does not answer within --timeout', async () => {
    const silent = new grpc.Server();
    silent.addService(serviceDefinitions['alerting.NotificationService'] as unknown as grpc.ServiceDefinition, {
      notify: () => undefined, // never answers
    });
    const port = await new Promise<number>((resolve, reject) =>
      silent.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      const result = await runCli(['--title', 'T', '--body', 'B', '--timeout', '1', '--agent', `127.0.0.1:${port}`]);
      expect(result).toMatchObject({ code: 3, stdout: '' });
      expect(result.stderr).toMatch(/^downstream-notify: DEADLINE_EXCEEDED: /);
      expect(result.stderr).toContain(`the agent at 127.0.0.1:${port} did not answer within 1 s`);
      expect(result.tookMs).toBeGreaterThanOrEqual(1_000);
    } finally {
      silent.forceShutdown();
    }
  });
});

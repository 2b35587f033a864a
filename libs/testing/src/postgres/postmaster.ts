import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../tcp-proxy.js';
import { waitFor } from '../wait-for.js';

/** Debian's postgresql-15 package; override with POSTGRES_BIN for another installation. */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/** How long a server gets to start accepting connections, or to shut down. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** The tail of a server's log kept for error messages. */
const LOG_TAIL_CHARS = 4_000;

const run = promisify(execFile);

/**
 * Who runs initdb and the servers: PostgreSQL refuses to run as root, and CI
 * runs as root, so then an existing unprivileged account (`nobody` unless
 * POSTGRES_FIXTURE_USER names another) via spawn's uid/gid, which also drops
 * root's supplementary groups. Anyone else runs them as themselves.
 */
function serverOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.POSTGRES_FIXTURE_USER ?? 'nobody';
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
  if (!entry) throw new Error(`no user ${name} in /etc/passwd to run PostgreSQL as (it refuses root)`);
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** Runs a PostgreSQL program as the server owner; rejects with its output when it fails. */
export async function runAsOwner(program: string, args: string[], cwd: string): Promise<void> {
  try {
    await run(join(POSTGRES_BIN, program), args, { cwd, ...serverOwner(), env: { PATH: process.env.PATH, LANG: 'C' } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${program} ${args.join(' ')} failed: ${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

/** Every server and directory this process made and has not yet stopped (see removeAllOnExit). */
const live = new Set<{ kill(): void }>();

/**
 * A temporary directory owned by the server owner (only it and root can enter
 * it), removed by the returned function; removed on process exit too.
 */
export function makeOwnedTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const owner = serverOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const entry = { kill: () => rmSync(dir, { recursive: true, force: true }) };
  live.add(entry);
  return {
    dir,
    remove: () => {
      live.delete(entry);
      entry.kill();
    },
  };
}

/** A postmaster this process started; its pid is the postmaster's own (no wrapper process in between). */
export interface Postmaster {
  readonly port: number;
  readonly pid: number;
  readonly exited: Promise<void>;
  /** The server's log so far (its last few KB). */
  log(): string;
  /** SIGKILL, no shutdown: as if its machine died. Resolves once it has exited. */
  kill(): Promise<void>;
  /** Fast shutdown (SIGINT), then SIGKILL after a deadline; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `postgres -D dataDir` on a free 127.0.0.1 port and resolves once it
 * accepts connections (pg_isready), or rejects with its log when it exits or
 * the deadline passes. A port taken between choosing and binding it is retried.
 */
export async function startPostmaster(
  dataDir: string,
  socketDir: string,
  extraSettings: Record<string, string> = {},
): Promise<Postmaster> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(dataDir, socketDir, port, extraSettings);
    } catch (error) {
      if (attempt >= 3 || !/could not (bind|create listen socket)/i.test(String(error))) throw error;
    }
  }
}

async function startOn(
  dataDir: string,
  socketDir: string,
  port: number,
  extraSettings: Record<string, string>,
): Promise<Postmaster> {
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    // Throwaway clusters: an OS crash loses them anyway. A SIGKILLed postmaster still loses no commit.
    fsync: 'off',
    shared_buffers: '32MB',
    max_connections: '200',
    ...extraSettings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  const child = spawn(join(POSTGRES_BIN, 'postgres'), args, {
    cwd: socketDir,
    ...serverOwner(),
    env: { PATH: process.env.PATH, LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const entry = { kill: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') };
  live.add(entry);
  void exited.then(() => live.delete(entry));
  const postmaster: Postmaster = {
    port,
    pid: child.pid!,
    exited,
    log: () => log,
    kill: () => signalAndWait(child, 'SIGKILL', exited),
    stop: async () => {
      await Promise.race([signalAndWait(child, 'SIGINT', exited), delay(STOP_TIMEOUT_MS)]);
      await signalAndWait(child, 'SIGKILL', exited);
    },
  };
  const died = exited.then(() => {
    throw new Error(`postgres exited before accepting connections on port ${port}:\n${log}`);
  });
  try {
    await Promise.race([died, acceptingConnections(port, socketDir)]);
  } catch (error) {
    await postmaster.kill();
    throw error;
  }
  return postmaster;
}

/** pg_isready polled until it answers "accepting connections" (exit 0), with a deadline. */
async function acceptingConnections(port: number, cwd: string): Promise<void> {
  await waitFor(
    () =>
      run(join(POSTGRES_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-t', '1'], { cwd }).then(
        () => true,
        () => false,
      ),
    { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, description: `PostgreSQL accepting connections on port ${port}` },
  );
}

async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  await exited;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The last line of defence when a test forgets stop() or the run is aborted
 * (Ctrl-C, a Jest worker told to exit): SIGKILL every server still running
 * and remove every directory. Runs on normal exit only: a SIGKILLed test
 * process leaves its servers behind (they are owned by `nobody` and use a
 * /tmp directory named postgres-fixture-*).
 */
function removeAllOnExit(): void {
  for (const entry of [...live].reverse()) entry.kill();
}
process.once('exit', removeAllOnExit);

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';
import { readAgentAdminToken, readGatewaySecrets, rememberAdminToken, type GatewaySecrets } from './gateway-secrets.js';
import { waitFor } from './wait-for.js';
import { gatewayStorageEnv } from './gateway-storage.js';

/** The built apps, and the example service of examples/ (HTTP only: no gRPC server, no data directory). */
export type AppName = 'gateway' | 'agent' | 'notifier-example';

const EXAMPLES: ReadonlySet<AppName> = new Set(['notifier-example']);

/** A loopback address nothing listens on (port 1, tcpmux): an agent spawned without a gateway dials this. */
export const UNREACHABLE_GATEWAY = '127.0.0.1:1';

/** Where `npm run build` puts an app's entry point. */
export function builtEntry(app: AppName): string {
  const folder = EXAMPLES.has(app) ? 'examples' : 'apps';
  return join(repoRoot, 'dist', folder, app, folder, app, 'src/main.js');
}

/** The flags that bind an app to 127.0.0.1 on free ports, with its data in `dataDir`. */
function loopbackFlags(app: AppName, dataDir: string): string[] {
  if (EXAMPLES.has(app)) return ['--host', '127.0.0.1', '--http-port', '0'];
  return [
    ...['--host', '127.0.0.1', '--grpc-port', '0', '--http-port', '0', '--data-dir', dataDir],
    // An agent dials its gateway: never a developer's one on the default port, only the one a test names.
    ...(app === 'agent' ? ['--gateway-address', UNREACHABLE_GATEWAY] : []),
  ];
}

/** One JSON log line of a service, as pino writes it. */
export type LogLine = Record<string, unknown> & { msg?: string; event?: string; level?: number };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedApp {
  readonly process: ChildProcess;
  /** host:port of the gRPC server, from the "listening" log line ('' for an app without one). */
  readonly grpcAddress: string;
  /** host:port of the HTTP server. */
  readonly httpAddress: string;
  readonly dataDir: string;
  /** A gateway's security, read from its data directory once it listens (undefined for an agent). */
  readonly gateway?: GatewaySecrets;
  /** The admin token of its HTTP API (gateway and agent; '' for the example), known to adminHeaders() by httpAddress. */
  readonly adminToken: string;
  /** Every stdout line so far that parsed as JSON. */
  readonly logs: LogLine[];
  /** Everything written to stdout so far, as written. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited (already-exited included). */
  exited(): Promise<Exit>;
  /** Sends `signal` and waits for exit; kills with SIGKILL after `timeoutMs`. Removes a temporary data dir. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit & { tookMs: number }>;
}

export interface SpawnOptions {
  /** Extra flags, after the loopback/port-0 defaults (so they win). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Data directory; a fresh temporary one (removed on stop) if omitted. */
  dataDir?: string;
  readyTimeoutMs?: number;
  /** The built entry point to run instead of this checkout's (another build of the app, to compare with). */
  entry?: string;
  /**
   * A shell command line to run (sh -c, in the repository root) instead of the
   * entry point, e.g. a rendered installer template: the loopback defaults
   * reach it as environment variables (AGENT_HOST, …), which its own
   * assignments override. Stopping signals its whole process group.
   */
  shell?: string;
}

interface Launched {
  child: ChildProcess;
  logs: LogLine[];
  stdout: () => string;
  stderr: () => string;
  exit: Promise<Exit>;
}

/** The loopback flags as the environment variables of the same settings (`--grpc-port 0` → AGENT_GRPC_PORT=0). */
function flagsAsEnv(app: AppName, flags: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (let i = 0; i < flags.length; i += 2) {
    env[`${app.toUpperCase()}_${flags[i].slice(2).replaceAll('-', '_').toUpperCase()}`] = flags[i + 1];
  }
  return env;
}

function launch(
  app: AppName,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  entry = builtEntry(app),
  shell?: string,
): Launched {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const environment = { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env };
  const child =
    shell === undefined
      ? spawn(process.execPath, [entry, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', shell], {
          cwd: repoRoot,
          env: { ...flagsAsEnv(app, args), ...environment },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
  const logs: LogLine[] = [];
  let stdoutBuffer = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    stdoutBuffer += chunk;
    const lines = stdoutBuffer.split('\n');
    stdoutBuffer = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line (e.g. --help output); ignored.
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<Exit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return { child, logs, stdout: () => stdout, stderr: () => stderr, exit };
}

/**
 * Starts a built app as a child process bound to 127.0.0.1 on ports it picks
 * (port 0), and resolves once its "listening" log line names both addresses.
 */
export async function spawnApp(app: AppName, options: SpawnOptions = {}): Promise<SpawnedApp> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `${app}-`));
  const storage = app === 'gateway' ? await gatewayStorageEnv(dataDir, options) : {};
  const launched = launch(
    app,
    [...loopbackFlags(app, dataDir), ...(options.args ?? [])],
    { ...storage, ...options.env },
    options.entry,
    options.shell,
  );
  // A shell's child does not get the shell's signals: signal the process group.
  const kill = (signal: NodeJS.Signals) => {
    if (options.shell === undefined) return void launched.child.kill(signal);
    try {
      process.kill(-launched.child.pid!, signal);
    } catch {
      // The group has exited already.
    }
  };
  let exitedEarly: Exit | undefined;
  void launched.exit.then((exit) => (exitedEarly = exit));

  const listening = await waitFor(
    () => {
      if (exitedEarly) {
        throw new Error(`${app} exited (${JSON.stringify(exitedEarly)}) before listening: ${launched.stderr()}`);
      }
      return launched.logs.find((line) => line.event === 'listening');
    },
    { timeoutMs: options.readyTimeoutMs ?? 20_000, description: `${app} to log "listening"` },
  ).catch((error: Error) => {
    kill('SIGKILL');
    throw error;
  });

  const httpAddress = String(listening.http);
  const gateway = app === 'gateway' ? readGatewaySecrets(dataDir, options.env?.GATEWAY_ADMIN_TOKEN) : undefined;
  const adminToken =
    gateway?.adminToken ??
    (app === 'agent'
      ? readAgentAdminToken(dataDir, flagValue(options.args, '--admin-token') ?? options.env?.AGENT_ADMIN_TOKEN)
      : '');
  if (adminToken) rememberAdminToken(httpAddress, adminToken);
  return {
    process: launched.child,
    grpcAddress: listening.grpc === undefined ? '' : String(listening.grpc),
    httpAddress,
    dataDir,
    gateway,
    adminToken,
    logs: launched.logs,
    stdout: launched.stdout,
    stderr: launched.stderr,
    exited: () => launched.exit,
    async stop(signal = 'SIGTERM', timeoutMs = 5_000) {
      const started = Date.now();
      if (!exitedEarly) kill(signal);
      const timer = setTimeout(() => kill('SIGKILL'), timeoutMs);
      const exit = await launched.exit;
      clearTimeout(timer);
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
      return { ...exit, tookMs: Date.now() - started };
    },
  };
}

/** The value given to `flag` in `args` (the last one wins, as for the apps). */
function flagValue(args: string[] | undefined, flag: string): string | undefined {
  const index = args?.lastIndexOf(flag) ?? -1;
  return index >= 0 ? args![index + 1] : undefined;
}

/** Runs a built app to completion (e.g. with a bad setting or --help) and returns its output. */
export async function runApp(
  app: AppName,
  args: string[],
  { env, timeoutMs = 20_000 }: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const launched = launch(app, args, env);
  const timer = setTimeout(() => launched.child.kill('SIGKILL'), timeoutMs);
  const exit = await launched.exit;
  clearTimeout(timer);
  return { ...exit, stdout: launched.stdout(), stderr: launched.stderr() };
}

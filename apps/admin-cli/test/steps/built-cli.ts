import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, type SpawnedApp } from '@app/testing';

// The built downstream-admin as its e2e test runs it, and what the test's
// steps (this folder) share with admin-cli.e2e-spec.ts, which starts the one
// gateway and agent they all use.

/** Where `nest build admin-cli` (part of `npm run build`) puts the CLI. */
export const cli = join(repoRoot, 'dist/apps/admin-cli/apps/admin-cli/src/main.js');
/** The cluster the session's agent joins as. */
export const CLUSTER = 'cli-a';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A home without a config file, so that a developer's ~/.config never leaks into a test. */
export const home = mkdtempSync(join(tmpdir(), 'admin-cli-home-'));

/** The environment of a CLI run: nothing of ours from the test's own environment, HOME empty. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  for (const name of Object.keys(env)) if (/^(DOWNSTREAM_|GATEWAY_|XDG_CONFIG_HOME$)/.test(name)) delete env[name];
  return env;
}

/** Starts the built CLI; stdin is /dev/null (not a terminal: destructive commands need --yes). */
export function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; result: Promise<CliResult> } {
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

/** Builds the CLI unless `npm run build` did. */
export async function buildCliIfMissing(): Promise<void> {
  if (!existsSync(cli)) {
    await promisify(execFile)(join(repoRoot, 'node_modules/.bin/nest'), ['build', 'admin-cli'], { cwd: repoRoot });
  }
}

/** The JSON a run printed, or an error naming its exit status and stderr. */
export const json = <T>(result: CliResult): T => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

/** What the steps use: the apps and settings as they are when a step runs (set up by the spec's beforeAll). */
export interface AdminCliSession {
  gateway: SpawnedApp;
  agent: SpawnedApp;
  /** The gateway's URL and admin token file, as an operator's shell would set them. */
  env: NodeJS.ProcessEnv;
  tokenFile: string;
  /** Runs the CLI with `env` (and `extraEnv`) to completion. */
  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Waits until the gateway counts `count` SSE subscribers (a tail has subscribed, or has gone). */
  sseSubscribers(count: number): Promise<unknown>;
}

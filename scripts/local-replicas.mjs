// What `npm start -- --replicas N` adds to scripts/start-local.mjs: a throwaway
// PostgreSQL (scripts/local-postgres.ts, under tsx) the N gateways share, and
// the secrets that make them one gateway to agents and admins.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Debian's postgresql-15, as libs/testing/src/postgres/postmaster.ts finds it. */
const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/** `--replicas N` or `--replicas=N` among `args`: N (1 without the flag) and the other args. */
export function replicasOption(args) {
  const rest = [];
  let replicas = 1;
  for (let i = 0; i < args.length; i++) {
    const match = /^--replicas(?:=(.*))?$/.exec(args[i]);
    if (!match) {
      rest.push(args[i]);
      continue;
    }
    const value = match[1] ?? args[++i];
    replicas = Number(value);
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
      throw new Error(`--replicas wants a whole number from 1 to 16, not ${JSON.stringify(value)}`);
    }
  }
  return { replicas, rest };
}

/**
 * Starts the throwaway PostgreSQL and resolves with a database URL once it
 * accepts connections. It runs in a process group of its own, so a terminal's
 * Ctrl-C reaches only the gateways: stop() stops it (and removes its
 * directory) once they have stopped. Should this script die, the helper sees
 * its stdin close and stops too.
 */
export async function startLocalPostgres(root, env) {
  if (!existsSync(join(POSTGRES_BIN, 'initdb')) || !existsSync(join(POSTGRES_BIN, 'postgres'))) {
    throw new Error(
      `--replicas needs PostgreSQL, and there is none in ${POSTGRES_BIN}: install it ` +
        '(`apt-get install postgresql`; or set POSTGRES_BIN to its bin directory)',
    );
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-postgres.ts'], {
    cwd: root,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ name: 'postgres', code, signal })),
  );
  const ready = await new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      buffered += text;
      const line = buffered.split('\n').find((l) => l.includes('"postgres-ready"'));
      if (line) resolve(JSON.parse(line));
    });
    void exited.then(() => reject(new Error('the local PostgreSQL did not start (see above)')));
  });
  let stopping;
  return {
    url: ready.url,
    /** The temporary directory its data is in (removed when it stops). */
    dir: dirname(ready.dataDir),
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      stopping ??= exited;
      return stopping;
    },
  };
}

/** The data directory of replica `index` (1-based): the first one's, then `<first>-2`, `<first>-3`, … */
export function replicaDataDir(first, index) {
  return index === 1 ? first : `${first}-${index}`;
}

/**
 * Copies the first replica's CA and serving certificate (tls/) and admin token
 * into another replica's data directory, where it looks for them at start:
 * agents pin one CA whichever replica they reach, admins use one token.
 */
export function shareGatewaySecrets(fromDir, toDir) {
  mkdirSync(toDir, { recursive: true });
  cpSync(join(fromDir, 'tls'), join(toDir, 'tls'), { recursive: true });
  copyFileSync(join(fromDir, 'admin-token'), join(toDir, 'admin-token'));
}

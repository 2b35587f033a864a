/**
 * Gateway replicas for the benchmark: `count` built gateways on one storage,
 * sharing one CA/TLS identity and admin token the way replicas behind one
 * address must (an agent pins the CA; an admin uses one token). The first
 * generates them in its data directory (tls/, admin-token); each other
 * replica gets a copy in its own before it starts.
 */
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp, type SpawnedApp } from '@app/testing';
import { onExit } from '../common/bench-kit.js';

export type StorageKind = 'sqlite' | 'postgres';

export interface ReplicaOptions {
  storage: StorageKind;
  /** The database every replica shares (storage postgres). */
  postgresUrl?: string;
  /** Another build's gateway main.js (compare mode). */
  entry?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Replica extends SpawnedApp {
  /** Stops it now (it is stopped at the end of the benchmark anyway) and removes its data directory. */
  stopNow(): Promise<void>;
}

/** The files of a gateway's data directory that make two replicas one gateway to agents and admins. */
const SHARED_SECRETS = ['tls', 'admin-token'];

export async function startReplicas(count: number, options: ReplicaOptions): Promise<Replica[]> {
  const replicas: Replica[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), `replica-${i + 1}-`));
    const removeDir = onExit(() => rmSync(dataDir, { recursive: true, force: true }));
    if (i > 0) {
      for (const name of SHARED_SECRETS) {
        const from = join(replicas[0].dataDir, name);
        if (name === 'tls') cpSync(from, join(dataDir, name), { recursive: true });
        else copyFileSync(from, join(dataDir, name));
      }
    }
    const storageEnv: NodeJS.ProcessEnv =
      options.storage === 'postgres'
        ? { GATEWAY_STORAGE: 'postgres', GATEWAY_POSTGRES_URL: options.postgresUrl }
        : { GATEWAY_STORAGE: 'sqlite' };
    // One at a time: the first makes the secrets the others copy (and migrates the schema).
    const spawned = await spawnApp('gateway', {
      dataDir,
      entry: options.entry,
      env: { ...storageEnv, ...options.env },
      readyTimeoutMs: 60_000,
    });
    const stopApp = onExit(async () => {
      const exit = await spawned.stop('SIGTERM', 10_000);
      if (exit.signal === 'SIGKILL') console.error(`gateway (pid ${spawned.process.pid}) did not stop within 10 s`);
    });
    replicas.push(
      Object.assign(spawned, {
        stopNow: async () => {
          await stopApp();
          await removeDir();
        },
      }),
    );
  }
  const pins = new Set(replicas.map((replica) => replica.gateway!.pin));
  if (pins.size !== 1) throw new Error(`the replicas pin ${pins.size} different CAs: the shared identity was not used`);
  return replicas;
}

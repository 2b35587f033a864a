/**
 * Fills an agent data dir with `n` queued notifications, as if the agent had accepted
 * them and the gateway had been unreachable since. Used by agent-ingest.bench.ts (the
 * restart measurement); also runnable alone, to reproduce or profile a restart by hand:
 *
 *   node --import tsx bench/agent-ingest/prefill.ts <data-dir> [n=1000000]
 *   node dist/apps/agent/apps/agent/src/main.js --data-dir <data-dir> --grpc-port 0 --http-port 0
 *
 * The built agent boots once on the (empty) dir so that SQLite holds the agent's own
 * schema; then queue.db is filled directly: one transaction, a prepared INSERT,
 * ascending seq from 1, UUID ids, severities mixed (Info 50%, Warning 30%, Error 15%,
 * Critical 5%, interleaved), every 10th row with a unique dedupe key (also in its
 * payload's opni_dedupe_key), created_at 1 ms apart ending now, payloads (~350 B)
 * encoded with alerting.Notification.encode; then a WAL checkpoint, so the agent finds
 * no WAL to replay.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { newNotificationId } from '@app/notification-model';
import { alerting } from '@app/proto';
import { spawnApp } from '@app/testing';

const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;

export interface Prefill {
  /** Time to write the rows (the agent's first boot not included). */
  ms: number;
  bySeverity: number[];
  withDedupeKey: number;
  payloadBytes: number;
  fileBytes: number;
}

/** Fills `<dataDir>/queue.db` with `n` rows; boots the built agent once first if the file does not exist. */
export async function prefillQueue(dataDir: string, n: number, env: NodeJS.ProcessEnv = {}): Promise<Prefill> {
  const path = join(dataDir, 'queue.db');
  if (!existsSync(path)) {
    const first = await spawnApp('agent', { dataDir, env });
    await first.stop('SIGTERM', 10_000);
  }
  const started = performance.now();
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144'); // 256 MiB, so the one big transaction does not spill
    const insert = db.prepare(
      'INSERT INTO queue (seq, id, severity, bytes, dedupe_key, created_at, attempts, occurrences, payload) ' +
        'VALUES (?, ?, ?, ?, ?, ?, 0, 1, ?)',
    );
    const bySeverity = [0, 0, 0, 0];
    let withDedupeKey = 0;
    let payloadBytes = 0;
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const slot = i % 20; // Info 10/20, Warning 6/20, Error 3/20, Critical 1/20
        const severity = slot < 10 ? 0 : slot < 16 ? 1 : slot < 19 ? 2 : 3;
        const dedupeKey = i % 10 === 0 ? `disk-pressure/node-${i}` : null;
        const properties: Record<string, string> = {
          opni_severity: SEVERITIES[severity],
          opni_goldenSignal: 'Saturation',
          cluster: 'prod-eu-west-1',
          node: `ip-10-0-${(i >> 8) & 255}-${i & 255}.eu-west-1.compute.internal`,
        };
        if (dedupeKey !== null) {
          properties.opni_dedupe_key = dedupeKey;
          withDedupeKey++;
        }
        const payload = alerting.Notification.encode({
          title: `Disk usage above 90% on node ${i % 1000}`,
          body:
            `Filesystem /var/lib/containerd on node ${i % 1000} is ${90 + (i % 10)}% full (threshold 90%). ` +
            'Pods on this node may be evicted soon; consider cleaning up unused images or expanding the volume.',
          properties,
        }).finish();
        insert.run(i + 1, newNotificationId(), severity, payload.length, dedupeKey, now - (n - i), payload);
        bySeverity[severity]++;
        payloadBytes += payload.length;
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return {
      ms: performance.now() - started,
      bySeverity,
      withDedupeKey,
      payloadBytes,
      fileBytes: statSync(path).size,
    };
  } finally {
    db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [dir, count = '1000000'] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node --import tsx bench/agent-ingest/prefill.ts <data-dir> [n=1000000]');
    process.exit(2);
  }
  const filled = await prefillQueue(resolve(dir), Number(count));
  console.log(JSON.stringify(filled));
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { status, type ServiceError } from '@grpc/grpc-js';
import { createUnaryClient, type UnaryClient } from '@app/runtime';
import {
  drainOrderViolation,
  fetchAgentQueue,
  scrapeMetrics,
  seededRandom,
  seedFromEnv,
  spawnApp,
  waitFor,
  type SpawnedApp,
} from '@app/testing';

// Acceptance crash test (invariant 2 of DESIGN.md): a real agent process under
// concurrent Notify load is killed with SIGKILL at a random moment, round
// after round on the same data directory. After every restart each id whose
// Notify returned OK must be queued, exactly once, in drain order.
//
// The kill moments come from a seeded random source; the seed is printed, and
// CRASH_SEED=<seed> replays the same schedule.

type Client = UnaryClient<'alerting.NotificationService'>;

const ROUNDS = 8;
const CLIENTS = 16;
const KILL_DELAY_MS = [200, 1500] as const;
const CALL_DEADLINE_MS = 10_000;
const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;

const seed = seedFromEnv('CRASH_SEED');
const schedule = seededRandom(seed);
const killDelays = Array.from({ length: ROUNDS }, () => schedule.int(...KILL_DELAY_MS));

interface RoundReport {
  round: number;
  killAfterMs: number;
  sent: number;
  acknowledged: number;
  failed: number;
  queuedAfterRestart?: number;
  unacknowledgedButQueued?: number;
}

describe('agent crash safety (SIGKILL under concurrent Notify load)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-crash-'));
  /** Every id sent, with the severity it was sent with (canonical name). */
  const sent = new Map<string, string>();
  /** Ids whose Notify returned OK. */
  const acknowledged = new Set<string>();
  /** Ids listed after some restart: they must stay (nothing deletes them in this test). */
  const seen = new Set<string>();
  const reports: RoundReport[] = [];
  let app: SpawnedApp | undefined;

  beforeAll(() => {
    console.log(`crash test seed ${seed} (replay with CRASH_SEED=${seed}); kill delays ${killDelays.join(', ')} ms`);
  });

  afterAll(async () => {
    if (app) {
      app.process.kill('SIGKILL');
      await app.exited();
    }
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`crash test seed ${seed}:\n${reports.map((report) => JSON.stringify(report)).join('\n')}`);
  });

  /** Checks the restarted agent's queue against what was acknowledged so far. */
  async function verify(running: SpawnedApp, round: number): Promise<void> {
    const context = { seed, round };
    const listing = await fetchAgentQueue(running.httpAddress);
    const ids = listing.entries.map((entry) => entry.id);
    const present = new Set(ids);

    const duplicated = ids.filter((id, i) => ids.indexOf(id) !== i);
    const missing = [...acknowledged].filter((id) => !present.has(id));
    const lost = [...seen].filter((id) => !present.has(id));
    const unknown = ids.filter((id) => !sent.has(id));
    const wrongSeverity = listing.entries
      .filter((entry) => sent.has(entry.id) && sent.get(entry.id) !== entry.severity)
      .map((entry) => `${entry.id}: listed ${entry.severity}, sent ${sent.get(entry.id)}`);
    const depthTotal = Object.values(listing.depth).reduce((sum, n) => sum + n, 0);

    expect({ ...context, duplicated: duplicated.slice(0, 20) }).toEqual({ ...context, duplicated: [] });
    expect({ ...context, missingAcknowledged: missing.slice(0, 20), missingCount: missing.length }).toEqual({
      ...context,
      missingAcknowledged: [],
      missingCount: 0,
    });
    expect({ ...context, lostAfterEarlierRestart: lost.slice(0, 20) }).toEqual({
      ...context,
      lostAfterEarlierRestart: [],
    });
    expect({ ...context, neverSent: unknown.slice(0, 20) }).toEqual({ ...context, neverSent: [] });
    expect({ ...context, wrongSeverity: wrongSeverity.slice(0, 20) }).toEqual({ ...context, wrongSeverity: [] });
    expect({ ...context, order: drainOrderViolation(listing.entries) }).toEqual({ ...context, order: undefined });
    expect({ ...context, count: listing.count, inFlight: listing.inFlight, depthTotal }).toEqual({
      ...context,
      count: listing.entries.length,
      inFlight: 0,
      depthTotal: listing.entries.length,
    });

    const recovered = running.logs.find((line) => line.event === 'queue-recovered');
    expect({ ...context, recovered: recovered?.count }).toEqual({ ...context, recovered: listing.count });
    const metrics = await scrapeMetrics(running.httpAddress);
    expect({ ...context, corrupt: metrics.value('agent_queue_corrupt_total') }).toEqual({ ...context, corrupt: 0 });

    const report = reports[round - 1];
    if (report) {
      report.queuedAfterRestart = listing.count;
      report.unacknowledgedButQueued = ids.filter((id) => id.startsWith(`r${round}-`) && !acknowledged.has(id)).length;
    }
    for (const id of ids) seen.add(id);
  }

  /** Runs CLIENTS concurrent Notify loops until the agent is killed, KILL_DELAY_MS into the load. */
  async function loadAndKill(running: SpawnedApp, round: number): Promise<void> {
    const report: RoundReport = { round, killAfterMs: killDelays[round - 1], sent: 0, acknowledged: 0, failed: 0 };
    reports.push(report);
    const unexpected: string[] = [];
    let killed = false;
    const clients: Client[] = Array.from({ length: CLIENTS }, () =>
      createUnaryClient('alerting.NotificationService', running.grpcAddress, undefined, {
        'grpc.use_local_subchannel_pool': 1, // one connection per client, like separate applications
      }),
    );

    const workers = clients.map(async (client, worker) => {
      const random = seededRandom((seed + round * 7919 + worker * 104_729) >>> 0);
      for (let n = 0; !killed; n++) {
        const id = `r${round}-c${worker}-${n}`;
        const severity = random.pick(SEVERITIES);
        const wire = random.next() < 0.25 ? severity.toLowerCase() : severity; // severity is case-insensitive
        sent.set(id, severity);
        report.sent++;
        try {
          const response = await client.notify(
            {
              id,
              message: {
                title: `crash test round ${round}`,
                body: `client ${worker}, call ${n}`,
                properties: { opni_severity: wire, round: String(round) },
              },
            },
            { deadline: Date.now() + CALL_DEADLINE_MS },
          );
          if (response.id !== id || response.coalesced) {
            unexpected.push(`${id}: unexpected response ${JSON.stringify(response)}`);
            return;
          }
          acknowledged.add(id);
          report.acknowledged++;
        } catch (error) {
          const { code, details } = error as ServiceError;
          report.failed++;
          if (!(killed && code === status.UNAVAILABLE)) {
            unexpected.push(`${id}: code ${code} ${details} (${killed ? 'after' : 'before'} the kill)`);
          }
          return;
        }
      }
    });

    await delay(report.killAfterMs); // the one intentional timer: a random moment into the load
    // Guard against a vacuous round (nothing acknowledged yet on a very slow machine).
    await waitFor(() => report.acknowledged > 0 || unexpected.length > 0, {
      timeoutMs: 10_000,
      description: `a first acknowledged Notify in round ${round}`,
    });
    killed = true;
    running.process.kill('SIGKILL');
    const exit = await running.exited();
    await Promise.all(workers);
    clients.forEach((client) => client.close());

    expect({ seed, round, exit }).toEqual({ seed, round, exit: { code: null, signal: 'SIGKILL' } });
    expect({ seed, round, unexpected: unexpected.slice(0, 20) }).toEqual({ seed, round, unexpected: [] });
    expect(report.acknowledged).toBeGreaterThan(0);
  }

  /** Retries a sample of acknowledged ids after the crashes: each answers OK with its id and adds nothing. */
  async function retryAcknowledged(running: SpawnedApp): Promise<void> {
    const before = (await fetchAgentQueue(running.httpAddress)).count;
    const ids = [...acknowledged];
    const sample = [...new Set(Array.from({ length: Math.min(64, ids.length) }, () => schedule.pick(ids)))];
    const client = createUnaryClient('alerting.NotificationService', running.grpcAddress);
    try {
      const responses = await Promise.all(
        sample.map((id) =>
          client.notify(
            { id, message: { title: 'retry', body: 'after a crash', properties: { opni_severity: 'Critical' } } },
            { deadline: Date.now() + CALL_DEADLINE_MS },
          ),
        ),
      );
      expect(responses).toEqual(sample.map((id) => ({ id, coalesced: false })));
    } finally {
      client.close();
    }
    const after = await fetchAgentQueue(running.httpAddress);
    expect({ seed, countAfterRetries: after.count }).toEqual({ seed, countAfterRetries: before });
    const retried = new Set(sample);
    const changed = after.entries.filter((entry) => retried.has(entry.id) && entry.severity !== sent.get(entry.id));
    expect({ seed, changedByRetry: changed.map((entry) => entry.id) }).toEqual({ seed, changedByRetry: [] });
  }

  it(`keeps every acknowledged notification across ${ROUNDS} SIGKILLs, once each, in drain order`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      app = await spawnApp('agent', { dataDir, args: ['--queue-durability', 'fsync'] });
      if (round > 1) await verify(app, round - 1);
      await loadAndKill(app, round);
      app = undefined;
    }
    app = await spawnApp('agent', { dataDir });
    await verify(app, ROUNDS);
    await retryAcknowledged(app);
    const exit = await app.stop('SIGTERM');
    app = undefined;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(acknowledged.size).toBeGreaterThan(0);
  }, 90_000);
});

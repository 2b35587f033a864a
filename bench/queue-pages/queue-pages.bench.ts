/**
 * Paging the agent's queue API at a million entries (issue 29): does reading
 * the last page cost what reading the first does?
 *
 *   npm run bench:queue-pages            (QUEUED=1000000 PAGE=100 ROUNDS=30 by default)
 *
 * 1. In process: the agent's index (libs/skiplist PriorityQueue, 4 severities
 *    mixed as the prefill mixes them) with QUEUED entries; a page of PAGE
 *    entries at offsets 0, QUEUED/2 and QUEUED - PAGE, read as the queue API
 *    now does (`entries(offset)`: the skiplist finds the offset in O(log n)) and
 *    as it did before (walking the entries before the offset: the baseline).
 * 2. Over HTTP against the built agent: a data dir prefilled with QUEUED rows
 *    (../agent-ingest/prefill.ts) and as many dead letters, then
 *    GET /api/v1/queue?offset=…&limit=PAGE at the same offsets and
 *    GET /api/v1/queue/dead-letters?limit=PAGE, ROUNDS times each, medians.
 *    The dead-letter query is also timed in process on the same file with and
 *    without its index (`NOT INDEXED`: the sort the view did before).
 *
 * Pass: last page / first page <= 2 for the API and for the index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PriorityQueue } from '@app/skiplist';
import { spawnApp } from '@app/testing';
import { prefillQueue } from '../agent-ingest/prefill.js';
import { fmtInt, fmtMs, median, onExit, runBenchmark, verdict } from '../common/bench-kit.js';

const QUEUED = Number(process.env.QUEUED ?? 1_000_000);
const PAGE = Number(process.env.PAGE ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const OFFSETS = [0, Math.floor(QUEUED / 2), QUEUED - PAGE];

/** Median milliseconds of `rounds` calls of `fn` (after one warm-up call). */
async function timed(rounds: number, fn: () => unknown): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** The page as the queue API read it before: walk from the start, skipping `offset` entries. */
function pageBySkipping(q: PriorityQueue<number>, offset: number): number {
  let skipped = 0;
  let taken = 0;
  for (const entry of q.entries()) {
    if (skipped++ < offset) continue;
    taken += entry.item >= 0 ? 1 : 0;
    if (taken >= PAGE) break;
  }
  return taken;
}

function pageFromOffset(q: PriorityQueue<number>, offset: number): number {
  let taken = 0;
  for (const entry of q.entries(offset)) {
    taken += entry.item >= 0 ? 1 : 0;
    if (taken >= PAGE) break;
  }
  return taken;
}

async function inProcess(): Promise<boolean> {
  const q = new PriorityQueue<number>();
  q.reserve(QUEUED);
  for (let i = 0; i < QUEUED; i++) {
    const slot = i % 20; // Info 10/20, Warning 6/20, Error 3/20, Critical 1/20, as prefill.ts
    q.push(`id-${i}`, slot < 10 ? 0 : slot < 16 ? 1 : slot < 19 ? 2 : 3, i, i);
  }
  console.log(`\n1. in process: PriorityQueue of ${fmtInt(QUEUED)} entries, a page of ${PAGE}, median of ${ROUNDS}`);
  console.log('   offset        entries(offset)   walk and skip (before)');
  const now: number[] = [];
  for (const offset of OFFSETS) {
    const fromOffset = await timed(ROUNDS, () => pageFromOffset(q, offset));
    const skipping = await timed(Math.min(ROUNDS, 5), () => pageBySkipping(q, offset));
    now.push(fromOffset);
    console.log(
      `   ${fmtInt(offset).padStart(9)}    ${fmtMs(fromOffset).padStart(9)} ms   ${fmtMs(skipping).padStart(12)} ms`,
    );
  }
  const ratio = now[2] / now[0];
  console.log(`   last page / first page: ${ratio.toFixed(2)}x  ${verdict(ratio <= 2)} (<= 2)`);
  return ratio <= 2;
}

async function overHttp(): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'queue-pages-'));
  onExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const filled = await prefillQueue(dataDir, QUEUED);
  // As many dead letters, newest last: the view reads the newest first.
  const db = new Database(join(dataDir, 'queue.db'));
  const deadLetterStarted = performance.now();
  db.exec(`INSERT INTO queue_dead_letter (seq, id, severity, reason, attempts, created_at, dead_lettered_at, payload)
           SELECT seq, id, severity, 'refused by the gateway', 1, created_at, created_at + 1, payload FROM queue`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(
    `\n2. over HTTP: the built agent on ${fmtInt(QUEUED)} queued rows (prefill ${fmtInt(filled.ms)} ms) ` +
      `and ${fmtInt(QUEUED)} dead letters (${fmtInt(performance.now() - deadLetterStarted)} ms); a page of ${PAGE}, median of ${ROUNDS}`,
  );

  const agent = await spawnApp('agent', { dataDir, readyTimeoutMs: 300_000 });
  onExit(() => agent.stop('SIGTERM', 30_000));
  const get = async (path: string) => {
    const response = await fetch(`http://${agent.httpAddress}${path}`, {
      headers: { authorization: `Bearer ${agent.adminToken}` },
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as { entries?: { id: string }[]; deadLetters?: unknown[]; total?: number };
  };
  // Rounds alternate between the offsets, so that drift (JIT, GC, a busy machine) hits each alike.
  for (const offset of OFFSETS) {
    const page = await get(`/api/v1/queue?offset=${offset}&limit=${PAGE}`);
    if (page.entries?.length !== PAGE) throw new Error(`offset ${offset}: ${page.entries?.length} entries`);
  }
  const samples = OFFSETS.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, offset] of OFFSETS.entries()) {
      const started = performance.now();
      await get(`/api/v1/queue?offset=${offset}&limit=${PAGE}`);
      samples[i].push(performance.now() - started);
    }
  }
  const api = samples.map(median);
  console.log('   GET /api/v1/queue?offset=…');
  OFFSETS.forEach((offset, i) => console.log(`   ${fmtInt(offset).padStart(9)}    ${fmtMs(api[i]).padStart(9)} ms`));
  const ratio = api[2] / api[0];
  console.log(`   last page / first page: ${ratio.toFixed(2)}x  ${verdict(ratio <= 2)} (<= 2)`);

  const deadLetters = await timed(ROUNDS, () => get(`/api/v1/queue/dead-letters?limit=${PAGE}`));
  const { total } = await get(`/api/v1/queue/dead-letters?limit=1`);
  console.log(
    `   GET /api/v1/queue/dead-letters?limit=${PAGE} (total ${fmtInt(total ?? 0)}): ${fmtMs(deadLetters)} ms`,
  );
  await agent.stop('SIGTERM', 30_000);

  // The same file, in process: the view's query with its index and without (the sort it did before), and its count.
  const file = new Database(join(dataDir, 'queue.db'), { readonly: true });
  const query = (hint: string) =>
    file.prepare(
      `SELECT id, severity, reason, attempts, created_at, dead_lettered_at, payload FROM queue_dead_letter ${hint}
       ORDER BY dead_lettered_at DESC, seq DESC LIMIT ?`,
    );
  const indexed = await timed(ROUNDS, () => query('').all(PAGE));
  const sorted = await timed(3, () => query('NOT INDEXED').all(PAGE));
  const count = await timed(ROUNDS, () => file.prepare('SELECT count(*) FROM queue_dead_letter').pluck().get());
  file.close();
  console.log(
    `   dead-letter query in process: ${fmtMs(indexed)} ms with queue_dead_letter_by_time, ` +
      `${fmtMs(sorted)} ms without (${(sorted / indexed).toFixed(0)}x); count(*) ${fmtMs(count)} ms`,
  );
  return ratio <= 2;
}

await runBenchmark(async () => {
  console.log(`queue-pages: Node ${process.version}`);
  const pass = [await inProcess(), await overHttp()].every(Boolean);
  if (!pass) process.exitCode = 1;
});

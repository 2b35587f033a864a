/**
 * Benchmark: notifications stored-and-resolved per second with one and two
 * gateway replicas on one PostgreSQL database, against one gateway on SQLite,
 * and against a plain client inserting the same rows in the same batch size.
 * The acceptance benchmark of issue 26.
 *
 *   npm run bench:gateway-replicas [-- --quick]
 *   # = node --expose-gc --import tsx bench/gateway-replicas/gateway-replicas.bench.ts
 *
 * Needs the built apps (`npm run build`) and PostgreSQL 15 (`apt-get install postgresql`;
 * POSTGRES_BIN for another installation). Knobs: AGENTS=4 PER_AGENT=5000 ROUNDS=3
 * POLL_MS=50 FSYNC=on (the database server's fsync: on, like the SQLite gateway's
 * synchronous=FULL; off measures without the disk) COMPARE_ENTRY=<another build's gateway
 * main.js> COMPARE_ENV="K=V,..." (compare mode: two replicas of this build (A) against two
 * of B, alternating, median B/A). --quick: AGENTS=2 PER_AGENT=1500 (about a minute).
 *
 * One PostgreSQL cluster (startPostgres from @app/testing) serves the whole run; each
 * run gets a fresh database in it. Each round runs, in an order rotated every round:
 *   sqlite ×1    one gateway, GATEWAY_STORAGE=sqlite, AGENTS agents joined to it
 *   postgres ×1  one gateway, GATEWAY_STORAGE=postgres, AGENTS agents joined to it
 *   postgres ×2  two replicas on one database (sharing CA and admin token), agent i joined
 *                to replica i mod 2
 * then `plain`: the postgres ×1 run's rows inserted by a plain client into a fresh database
 * with the gateway's schema, in batches of the rows per transaction that run committed
 * (see plain-insert.ts). The agent runs are described in ingest-run.ts: PER_AGENT
 * notifications queued per agent with Notify before alerting is installed, clock from the
 * first `push-started` to every queue empty, exactly-once checked. Reported: medians of
 * the rounds, per-round ratios and their medians, CPU per notification of gateways,
 * agents and database server. Targets: postgres ×2 >= 1.6 × postgres ×1 where the
 * database is not the limit; stored-and-resolved >= 0.5 × plain insert.
 */
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtEntry, POSTGRES_BIN, startPostgres, withConnection, type PostgresCluster } from '@app/testing';
import { alternatingRounds, fmtInt, fsType, median, onExit, runBenchmark, verdict } from '../common/bench-kit.js';
import { ingestRun, type IngestLoad, type IngestResult, type IngestSetup } from './ingest-run.js';
import { plainInsertRun, type PlainInsertResult } from './plain-insert.js';
import { cpuLines, predictionLines, resultTable } from './report.js';

const QUICK = process.argv.includes('--quick');
const AGENTS = Number(process.env.AGENTS ?? (QUICK ? 2 : 4));
const PER_AGENT = Number(process.env.PER_AGENT ?? (QUICK ? 1500 : 5000));
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const POLL_MS = Number(process.env.POLL_MS ?? 50);
const FSYNC = process.env.FSYNC ?? 'on';
const COMPARE_ENTRY = process.env.COMPARE_ENTRY;
const COMPARE_ENV = process.env.COMPARE_ENV;

const TARGET_SCALING = 1.6;
const TARGET_PLAIN = 0.5;

/** KEY=VALUE,KEY=VALUE → an environment. */
function parseEnvList(list: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const pair of (list ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

interface FreshRun {
  result: IngestResult;
  /** The run's database (postgres), kept until dropDatabase(). */
  url?: string;
  dropDatabase: () => Promise<void>;
}

/** A run on a fresh database of the cluster (postgres setups); the caller drops it once done with its rows. */
async function runOnFreshDatabase(
  cluster: PostgresCluster,
  setup: Omit<IngestSetup, 'postgresUrl'>,
  load: IngestLoad,
): Promise<FreshRun> {
  const url = setup.storage === 'postgres' ? await cluster.createDatabase() : undefined;
  const dropDatabase = async () => {
    if (url) await withConnection(cluster.url, (sql) => sql.unsafe(`DROP DATABASE ${new URL(url).pathname.slice(1)}`));
  };
  const result = await ingestRun({ ...setup, postgresUrl: url }, load);
  console.log(
    `  ${setup.name.padEnd(16)} ${fmtInt(result.perSec).padStart(6)}/s (${fmtInt(result.notifications)} in ` +
      `${(result.ms / 1000).toFixed(2)} s; CPU µs per notification: gateways ${perNotification(result.cpu.gateways, result)}, ` +
      `agents ${perNotification(result.cpu.agents, result)}, database ${perNotification(result.cpu.database, result)}` +
      `${result.rowsPerCommit ? `; ${result.rowsPerCommit.toFixed(1)} rows per commit` : ''})`,
  );
  return { result, url, dropDatabase };
}

const perNotification = (seconds: number, run: { notifications: number }) =>
  fmtInt((seconds * 1e6) / run.notifications);

const SETUPS: Omit<IngestSetup, 'postgresUrl'>[] = [
  { name: 'sqlite ×1', storage: 'sqlite', replicas: 1 },
  { name: 'postgres ×1', storage: 'postgres', replicas: 1 },
  { name: 'postgres ×2', storage: 'postgres', replicas: 2 },
];

async function benchmark(cluster: PostgresCluster, load: IngestLoad): Promise<string[]> {
  console.log(
    `\n## Ingest: ${load.agents} agents × ${fmtInt(load.perAgent)} notifications queued, drained to the ` +
      `gateway(s); ${ROUNDS} rounds\n`,
  );
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = SETUPS.map((_, i) => SETUPS[(i + round - 1) % SETUPS.length]);
    console.log(`round ${round}: ${order.map((s) => s.name).join(', ')}, then the plain insert`);
    const runs = new Map<string, IngestResult>();
    let source: FreshRun | undefined;
    for (const setup of order) {
      const run = await runOnFreshDatabase(cluster, setup, load);
      runs.set(setup.name, run.result);
      if (setup.name === 'postgres ×1') source = run;
      else await run.dropDatabase();
    }
    const batch = Math.max(1, Math.round(source!.result.rowsPerCommit!));
    const target = await cluster.createDatabase();
    const plain = await plainInsertRun(source!.url!, target, batch, load.postmasterPid);
    await source!.dropDatabase();
    await withConnection(cluster.url, (sql) => sql.unsafe(`DROP DATABASE ${new URL(target).pathname.slice(1)}`));
    console.log(
      `  ${'plain insert'.padEnd(16)} ${fmtInt(plain.perSec).padStart(6)}/s (${fmtInt(plain.rows)} rows of the ` +
        `postgres ×1 run, ${Math.round(plain.payloadBytes)} B payloads, in ${fmtInt(plain.ms)} ms, batches of ${batch}; ` +
        `CPU µs per row: database ${fmtInt((plain.databaseCpu * 1e6) / plain.rows)}, client ${fmtInt((plain.clientCpu * 1e6) / plain.rows)})`,
    );
    rounds.push({ runs, plain });
  }
  return summarise(rounds);
}

interface Round {
  runs: Map<string, IngestResult>;
  plain: PlainInsertResult;
}

function summarise(rounds: Round[]): string[] {
  const runsOf = (name: string) => rounds.map((round) => round.runs.get(name)!);
  const plains = rounds.map((round) => round.plain);
  console.log('');
  for (const line of resultTable(
    SETUPS.map((setup) => ({ name: setup.name, runs: runsOf(setup.name) })),
    plains,
  ))
    console.log(line);

  const ratio = (of: (round: Round) => number) => {
    const each = rounds.map(of);
    return { median: median(each), each: each.map((x) => x.toFixed(2)).join(', ') };
  };
  const rate = (name: string) => (round: Round) => round.runs.get(name)!.perSec;
  const scaling = ratio((r) => rate('postgres ×2')(r) / rate('postgres ×1')(r));
  const pgOverSqlite = ratio((r) => rate('postgres ×1')(r) / rate('sqlite ×1')(r));
  const oneOverPlain = ratio((r) => rate('postgres ×1')(r) / r.plain.perSec);
  const twoOverPlain = ratio((r) => rate('postgres ×2')(r) / r.plain.perSec);
  const two = runsOf('postgres ×2');
  const machineBusy = median(
    two.map((run) => {
      const { gateways, agents, database, bench, others } = run.cpu;
      return (gateways + agents + database + bench + others) / (run.ms / 1000) / cpus().length;
    }),
  );
  const machineBound = machineBusy >= 0.85;
  const lines = [
    `postgres ×2 / postgres ×1: ${scaling.median.toFixed(2)}x (per round ${scaling.each}); target >= ${TARGET_SCALING}x ` +
      `where the database is not the limit: ${verdict(scaling.median >= TARGET_SCALING)}` +
      (machineBound
        ? ` — not a verdict on the design: the machine's ${cpus().length} cores were ${Math.round(machineBusy * 100)}% ` +
          'busy during the two-replica runs (replicas, agents and database share them), so a second replica adds no CPU'
        : ''),
    `postgres ×1 / plain insert: ${oneOverPlain.median.toFixed(2)}x (per round ${oneOverPlain.each}); ` +
      `postgres ×2 / plain insert: ${twoOverPlain.median.toFixed(2)}x (per round ${twoOverPlain.each}); ` +
      `target >= ${TARGET_PLAIN}x: ${verdict(Math.max(oneOverPlain.median, twoOverPlain.median) >= TARGET_PLAIN)}`,
    `postgres ×1 / sqlite ×1: ${pgOverSqlite.median.toFixed(2)}x (per round ${pgOverSqlite.each})`,
  ];
  console.log('');
  for (const line of [...cpuLines(runsOf), ...predictionLines(runsOf, plains)]) console.log(line);
  return lines;
}

/** Compare mode: two replicas of this build (A) against two of another (B), alternating rounds. */
async function compare(cluster: PostgresCluster, load: IngestLoad): Promise<string[]> {
  const b: Omit<IngestSetup, 'postgresUrl'> = {
    name: 'B postgres ×2',
    storage: 'postgres',
    replicas: 2,
    entry: COMPARE_ENTRY,
    env: parseEnvList(COMPARE_ENV),
  };
  const a: Omit<IngestSetup, 'postgresUrl'> = { name: 'A postgres ×2', storage: 'postgres', replicas: 2 };
  console.log(
    `\n## Compare: ${a.name} (this build) vs ${b.name} (${COMPARE_ENTRY ?? 'this build'} ${COMPARE_ENV ?? ''})\n`,
  );
  const run = (setup: typeof a) => async () => {
    const fresh = await runOnFreshDatabase(cluster, setup, load);
    await fresh.dropDatabase();
    return fresh.result;
  };
  const [as, bs] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'A', run: run(a) },
      { name: 'B', run: run(b) },
    ],
    { afterRound: (round) => console.log(`round ${round} done`) },
  );
  const ratios = as.map((r, i) => bs[i].perSec / r.perSec);
  return [
    `B / A: ${median(ratios).toFixed(3)}x (median of the per-round ratios ${ratios.map((x) => x.toFixed(3)).join(', ')}; ` +
      `A ${fmtInt(median(as.map((r) => r.perSec)))}/s, B ${fmtInt(median(bs.map((r) => r.perSec)))}/s)`,
  ];
}

async function main(): Promise<void> {
  for (const app of ['gateway', 'agent'] as const) {
    if (!existsSync(builtEntry(app))) throw new Error(`${builtEntry(app)} is missing: run \`npm run build\` first`);
  }
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(`no PostgreSQL in ${POSTGRES_BIN}: \`apt-get install postgresql\` (or set POSTGRES_BIN)`);
  }
  const started = Date.now();
  console.log(
    `# gateway replicas benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `knobs: AGENTS=${AGENTS} PER_AGENT=${PER_AGENT} ROUNDS=${ROUNDS} POLL_MS=${POLL_MS} FSYNC=${FSYNC}` +
      `${QUICK ? ' --quick' : ''}${COMPARE_ENTRY ? ` COMPARE_ENTRY=${COMPARE_ENTRY}` : ''}` +
      `${COMPARE_ENV ? ` COMPARE_ENV="${COMPARE_ENV}"` : ''}; data under ${tmpdir()} (${fsType(tmpdir())})`,
  );
  const cluster = await startPostgres({ settings: { fsync: FSYNC } });
  onExit(() => cluster.stop());
  const [{ version }] = await withConnection(cluster.url, (sql) => sql`SELECT version()`);
  console.log(`database: ${String(version).split(' on ')[0]}, fsync=${FSYNC}, pid ${cluster.postmaster.pid}`);
  const load: IngestLoad = {
    agents: AGENTS,
    perAgent: PER_AGENT,
    pollMs: POLL_MS,
    postmasterPid: cluster.postmaster.pid,
  };
  const comparing = COMPARE_ENTRY !== undefined || COMPARE_ENV !== undefined;
  const summary = comparing ? await compare(cluster, load) : await benchmark(cluster, load);
  console.log(`\n## Summary (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  for (const line of summary) console.log(`- ${line}`);
}

await runBenchmark(main);

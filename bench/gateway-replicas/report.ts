/**
 * The benchmark's tables and the lines that read its CPU figures for a
 * larger machine (gateway-replicas.bench.ts runs it).
 */
import { cpus } from 'node:os';
import { fmtInt, median } from '../common/bench-kit.js';
import type { IngestResult } from './ingest-run.js';
import type { PlainInsertResult } from './plain-insert.js';

type RunsOf = (name: string) => IngestResult[];

/** µs of CPU per notification, median over runs. */
const usPer = (runs: IngestResult[], part: keyof IngestResult['cpu']) =>
  median(runs.map((run) => (run.cpu[part] * 1e6) / run.notifications));

/** Share of all the machine's cores busy during a run. */
const busy = (run: IngestResult) =>
  Object.values(run.cpu).reduce((sum, seconds) => sum + seconds, 0) / (run.ms / 1000) / cpus().length;

/** Share of all the machine's cores used by processes outside the benchmark (other work on the machine). */
const othersShare = (run: IngestResult) => run.cpu.others / (run.ms / 1000) / cpus().length;

export function resultTable(setups: { name: string; runs: IngestResult[] }[], plains: PlainInsertResult[]): string[] {
  const one = median(setups.find((s) => s.name === 'postgres ×1')!.runs.map((run) => run.perSec));
  const plainRate = median(plains.map((plain) => plain.perSec));
  const lines = [
    '| setup | stored-and-resolved/s (median) | min..max /s | / postgres ×1 | / plain | CPU µs/notification: ' +
      'gateways | agents | database | machine busy | of it others | rows per commit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { name, runs } of setups) {
    const rates = runs.map((run) => run.perSec);
    const perCommit = runs.map((run) => run.rowsPerCommit).filter((x) => x !== undefined);
    lines.push(
      `| ${name} | ${fmtInt(median(rates))} | ${fmtInt(Math.min(...rates))}..${fmtInt(Math.max(...rates))} ` +
        `| ${(median(rates) / one).toFixed(2)}x | ${(median(rates) / plainRate).toFixed(2)}x ` +
        `| ${fmtInt(usPer(runs, 'gateways'))} | ${fmtInt(usPer(runs, 'agents'))} | ${fmtInt(usPer(runs, 'database'))} ` +
        `| ${Math.round(median(runs.map(busy)) * 100)}% | ${Math.round(median(runs.map(othersShare)) * 100)}% ` +
        `| ${perCommit.length ? median(perCommit).toFixed(1) : '—'} |`,
    );
  }
  const plainRates = plains.map((plain) => plain.perSec);
  lines.push(
    `| plain insert (postgres lib, 1 connection) | ${fmtInt(plainRate)} | ${fmtInt(Math.min(...plainRates))}..` +
      `${fmtInt(Math.max(...plainRates))} | ${(plainRate / one).toFixed(2)}x | 1.00x | — | — ` +
      `| ${fmtInt(median(plains.map((p) => (p.databaseCpu * 1e6) / p.rows)))} | — | — ` +
      `| ${median(plains.map((p) => p.batch))} |`,
  );
  return lines;
}

export function cpuLines(runsOf: RunsOf): string[] {
  const two = runsOf('postgres ×2');
  const others = Math.max(...['sqlite ×1', 'postgres ×1', 'postgres ×2'].flatMap(runsOf).map(othersShare));
  return [
    ...(others >= 0.1
      ? [
          `note: other processes used up to ${Math.round(others * 100)}% of the machine during some runs ` +
            '("of it others"): those runs were disturbed; rerun on a quiet machine to confirm.',
        ]
      : []),
    `machine: ${cpus().length} cores for everything — the gateway replicas, the agents that feed them, the ` +
      `database server and this process. During the two-replica runs they were ${Math.round(median(two.map(busy)) * 100)}% ` +
      'busy (median): a second replica finds no idle core, so scaling cannot show here; the rates compare ' +
      'setups under the same squeeze, and the CPU per notification is what carries over to a larger machine.',
  ];
}

/**
 * What the CPU per notification predicts where each replica has a core of its
 * own and the agents run elsewhere (as downstream clusters do): a replica's
 * ceiling from its gateway CPU, the database's from its CPU and from the one
 * feed lock every commit takes in turn (bounded by the plain client's single-
 * writer rate at the same batch size).
 */
export function predictionLines(runsOf: RunsOf, plains: PlainInsertResult[]): string[] {
  const one = runsOf('postgres ×1');
  const two = runsOf('postgres ×2');
  const gatewayUs = usPer(one, 'gateways');
  const databaseUs = usPer(one, 'database');
  const twoGatewayUs = usPer(two, 'gateways');
  const plainRate = median(plains.map((plain) => plain.perSec));
  const oneReplicaCeiling = 1e6 / gatewayUs;
  // Each replica also reads back every row any replica stored (its live feed), so two cost more than twice half.
  const twoReplicaCeiling = 2e6 / twoGatewayUs;
  const databaseCoreCeiling = 1e6 / databaseUs;
  const databaseCeiling = Math.min(plainRate, cpus().length * databaseCoreCeiling);
  const predicted = Math.min(twoReplicaCeiling, databaseCeiling) / Math.min(oneReplicaCeiling, databaseCeiling);
  const limit =
    twoReplicaCeiling > databaseCeiling
      ? 'the database (the feed lock every commit takes in turn) is the limit for two replicas'
      : 'the database is not the limit for two replicas';
  return [
    `prediction for a larger machine (a core per replica, agents elsewhere): one replica spends ${fmtInt(gatewayUs)} µs ` +
      `of gateway CPU per notification, two together ${fmtInt(twoGatewayUs)} µs (each replica also reads back ` +
      `every notification the other stored, for its live feed), so one replica tops out near ` +
      `${fmtInt(oneReplicaCeiling)}/s and two near ${fmtInt(twoReplicaCeiling)}/s. The database spends ` +
      `${fmtInt(databaseUs)} µs per notification (≈ ${fmtInt(databaseCoreCeiling)}/s per core of PostgreSQL), and every ` +
      `commit takes the one feed lock in turn, so the replicas together stay below the single writer's plain-insert ` +
      `rate at this batch size (${fmtInt(plainRate)}/s here; lower with the gateway's extra round trips under the ` +
      `lock). So ${limit}, and two replicas should reach about ${predicted.toFixed(2)}x one ` +
      `(target 1.6x), and one replica about ${(Math.min(oneReplicaCeiling, databaseCeiling) / plainRate).toFixed(2)}x ` +
      'the plain insert (target 0.5x).',
  ];
}

/**
 * One ingest run: gateway replicas on a storage, agents joined to them (agent
 * i to replica i mod replicas), each with `perAgent` notifications queued
 * through its Notify API while alerting is not installed (so nothing is
 * pushed yet); then alerting is installed for every cluster at once and the
 * clock runs from the first agent's `push-started` until every agent's queue
 * reads empty: each notification stored by the gateway and resolved at the
 * agent. CPU is read from /proc over the drain: gateways, agents, the
 * PostgreSQL server's process tree, this process, everything else.
 */
import { createUnaryClient } from '@app/runtime';
import {
  fetchAgentQueueCount,
  installAlerting,
  joinArgs,
  scrapeMetrics,
  spawnApp,
  waitFor,
  withConnection,
  type LogLine,
  type SpawnedApp,
} from '@app/testing';
import { MESSAGE, machineBusySeconds, onExit, processCpuSeconds } from '../common/bench-kit.js';
import { treeCpuSeconds } from './process-tree-cpu.js';
import { startReplicas, type ReplicaOptions } from './replica-set.js';

export interface IngestSetup extends ReplicaOptions {
  name: string;
  replicas: number;
}

export interface IngestLoad {
  agents: number;
  perAgent: number;
  pollMs: number;
  /** The postmaster's pid: the database server whose CPU is read (also for SQLite runs: it idles then). */
  postmasterPid: number;
}

/** CPU seconds over the measured part. */
export interface CpuSeconds {
  gateways: number;
  agents: number;
  database: number;
  bench: number;
  others: number;
}

export interface IngestResult {
  setup: string;
  notifications: number;
  ms: number;
  perSec: number;
  cpu: CpuSeconds;
  /** PostgreSQL: notifications per committed transaction (rows sharing an xmin), as the gateways batched them. */
  rowsPerCommit?: number;
}

const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;
const NOTIFY_IN_FLIGHT = 64;

/** Notify `count` times (the benchmark message, ~370 B, severities mixed 5:3:1:1), NOTIFY_IN_FLIGHT at once. */
async function queueNotifications(agentGrpcAddress: string, count: number): Promise<void> {
  const client = createUnaryClient('alerting.NotificationService', agentGrpcAddress);
  try {
    const pending = new Set<Promise<unknown>>();
    for (let i = 0; i < count; i++) {
      const severity = SEVERITIES[[0, 1, 0, 2, 1, 0, 3, 0, 1, 0][i % 10]];
      const message = { ...MESSAGE, properties: { ...MESSAGE.properties, opni_severity: severity } };
      const call = client.notify({ id: `n-${i}`, message }, { deadline: Date.now() + 30_000 });
      pending.add(call);
      void call.finally(() => pending.delete(call));
      if (pending.size >= NOTIFY_IN_FLIGHT) await Promise.race(pending);
    }
    await Promise.all(pending);
  } finally {
    client.close();
  }
}

function cpuMeter(gatewayPids: number[], agentPids: number[], postmasterPid: number): () => CpuSeconds {
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + processCpuSeconds(pid), 0);
  const benchSeconds = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  const before = {
    gateways: sum(gatewayPids),
    agents: sum(agentPids),
    database: treeCpuSeconds(postmasterPid),
    bench: benchSeconds(),
    machine: machineBusySeconds(),
  };
  return () => {
    const cpu = {
      gateways: sum(gatewayPids) - before.gateways,
      agents: sum(agentPids) - before.agents,
      database: treeCpuSeconds(postmasterPid) - before.database,
      bench: benchSeconds() - before.bench,
    };
    const machine = machineBusySeconds() - before.machine;
    const others = machine - cpu.gateways - cpu.agents - cpu.database - cpu.bench;
    return { ...cpu, others: Math.max(0, others) };
  };
}

/** Epoch ms of a log line ("time" is an ISO string with our logger options, epoch ms with pino's default). */
function logTime(line: LogLine): number {
  return typeof line.time === 'number' ? line.time : Date.parse(String(line.time));
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export async function ingestRun(setup: IngestSetup, load: IngestLoad): Promise<IngestResult> {
  const gateways = await startReplicas(setup.replicas, setup);
  const clusterOf = (i: number) => `bench-${i}`;
  const stoppers: (() => Promise<void>)[] = [];
  const agents: SpawnedApp[] = await Promise.all(
    Array.from({ length: load.agents }, async (_, i) => {
      const gateway = gateways[i % gateways.length];
      const agent = await spawnApp('agent', { args: await joinArgs(gateway, clusterOf(i)), readyTimeoutMs: 60_000 });
      stoppers.push(onExit(() => agent.stop('SIGTERM', 10_000)));
      return agent;
    }),
  );
  await Promise.all(agents.map((agent) => queueNotifications(agent.grpcAddress, load.perAgent)));
  const total = load.agents * load.perAgent;

  const meter = cpuMeter(
    gateways.map((g) => g.process.pid!),
    agents.map((a) => a.process.pid!),
    load.postmasterPid,
  );
  const installing = Date.now();
  await Promise.all(agents.map((_, i) => installAlerting(gateways[i % gateways.length].httpAddress, clusterOf(i))));
  const timeout = 60_000 + total; // ~1 ms per notification: far slower than any run seen
  let drainedAt: number;
  for (;;) {
    const counts = await Promise.all(agents.map((agent) => fetchAgentQueueCount(agent.httpAddress)));
    const now = Date.now();
    if (counts.every((count) => count === 0)) {
      drainedAt = now;
      break;
    }
    if (now - installing > timeout) throw new Error(`${setup.name}: ${counts.join(' + ')} still queued`);
    await sleep(load.pollMs);
  }
  const cpu = meter();
  const started = await waitFor(
    () => {
      const lines = agents.map((agent) => agent.logs.find((line) => line.event === 'push-started'));
      return lines.every(Boolean) && Math.min(...lines.map((line) => logTime(line!)));
    },
    { timeoutMs: 5_000, description: 'every agent to have logged "push-started"' },
  );
  const ms = drainedAt - started;

  // Exactly once: every replica's stored count per cluster, summed; every agent resolved all of its own.
  // An agent's resolved counter can trail its queue by a moment (its queue reads empty first): wait for it.
  const resolvedCounts = () =>
    Promise.all(agents.map(async (agent) => (await scrapeMetrics(agent.httpAddress)).sum('agent_resolved_total')));
  const resolved = await waitFor(
    async () => {
      const counts = await resolvedCounts();
      return counts.every((count) => count >= load.perAgent) && counts;
    },
    { timeoutMs: 5_000, intervalMs: 50, description: 'every agent counting its notifications resolved' },
  ).catch(() => resolvedCounts());
  const gatewayMetrics = await Promise.all(gateways.map((gateway) => scrapeMetrics(gateway.httpAddress)));
  agents.forEach((_, i) => {
    const stored = gatewayMetrics.reduce(
      (sum, metrics) => sum + metrics.sum('gateway_notifications_total', { cluster: clusterOf(i), outcome: 'stored' }),
      0,
    );
    if (stored !== load.perAgent || resolved[i] !== load.perAgent)
      throw new Error(`${setup.name}: ${clusterOf(i)} stored ${stored}, resolved ${resolved[i]}, not ${load.perAgent}`);
  });
  const rowsPerCommit = setup.postgresUrl === undefined ? undefined : await rowsPerTransaction(setup.postgresUrl);

  await Promise.all(stoppers.map((stop) => stop()));
  for (const gateway of gateways) await gateway.stopNow();
  return { setup: setup.name, notifications: total, ms, perSec: (total * 1000) / ms, cpu, rowsPerCommit };
}

/** Rows inserted in one transaction share its xmin: rows / distinct xmins is the mean batch the gateways committed. */
async function rowsPerTransaction(url: string): Promise<number> {
  const [{ rows, commits }] = await withConnection(
    url,
    (sql) => sql<{ rows: number; commits: number }[]>`
      SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS commits FROM notifications`,
  );
  return rows / Math.max(1, commits);
}

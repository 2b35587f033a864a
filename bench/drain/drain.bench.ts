/**
 * Benchmark: how fast an agent with a full queue drains it to the gateway over its one
 * session, against a plain grpc-js bidirectional echo of the same frames, and how long
 * a notification takes from Notify at the agent to the gateway's live SSE feed at a
 * steady offered rate. The acceptance benchmark of issue 5.
 *
 *   npm run bench:drain
 *   # = node --expose-gc --import tsx bench/drain/drain.bench.ts
 *
 * Needs the built apps (`npm run build`: dist/apps/{gateway,agent}/…/main.js).
 * Environment knobs: QUEUED=100000 ROUNDS=3 WINDOW=512 (the agent's --push-window and
 * the echo client's window) POLL_MS=50 RATE=500 (Notify/s offered) LIVE_SECONDS=10
 * LIVE_WARMUP=1 (seconds offered at RATE before the measured ones, not counted)
 * ONLY=drain|live AGENT_NODE_OPTIONS=... (extra NODE_OPTIONS for every agent process)
 * COMPARE_ROOT=<another checkout, built> (compare mode: instead of (1) against the echo, the
 * drain by this build's gateway and agent (A) against the drain by that checkout's (B), on
 * copies of the same template, alternating, and the median B/A ratio; see compareDrains())
 * AGENT_CPU_PROF=<dir> GATEWAY_CPU_PROF=<dir> (CPU profile of every agent / gateway
 * process: <dir>/<pid>.cpuprofile, written when it stops, through
 * bench/agent-ingest/cpu-profile.mjs; the pids are printed per run; summarise with
 * `node bench/agent-ingest/cpu-profile-top.mjs <file>`).
 *
 * 1. Drain. bench/agent-ingest/prefill.ts fills a template agent data dir once with
 *    QUEUED notifications (~346 B payloads, severities Info 50% / Warning 30% / Error
 *    15% / Critical 5% interleaved, every 10th with a dedupe key), written straight
 *    into queue.db (100k real Notify calls would take ~10 s per round and measure
 *    ingest, not drain). Each round then runs, in alternating order:
 *    (a) drain: the built gateway on a fresh data dir, and the built agent on a fresh
 *        copy of the template, joining it as cluster bench (a bootstrap token; TLS),
 *        --push-window WINDOW, and alerting installed for it. The clock starts at the agent's `push-started`
 *        log line (its own timestamp: the queue is recovered by then, so start-up is
 *        not counted; spawn → connected is printed apart) and stops at the first poll
 *        of GET /api/v1/queue?limit=0 (every POLL_MS ms) that reads count 0, so the
 *        end is late by at most POLL_MS plus one HTTP round trip. Checked afterwards:
 *        the gateway counted QUEUED stored for cluster bench and the agent QUEUED
 *        resolved.
 *    (b) echo: ./echo-session-server.ts (plain grpc-js, the same Connect definition
 *        and ts-proto codecs; answers Hello with Welcome and every RpcCall with an OK
 *        RpcResult at once) and ./echo-session-client.ts, each its own process: the
 *        client reads the same rows from the template queue.db in drain order and
 *        decodes them before its clock starts, then sends each as a Push RpcCall (the
 *        notification with its opni_uuid, encoded by Push's request codec) with
 *        WINDOW unanswered; clock from Welcome to the last RpcResult.
 *    Reported per run: notifications/s, wall time, CPU of the sending process (agent
 *    / echo client) and of the receiving one (gateway / echo server), per
 *    notification, and of everything else on the machine; progress lines every second
 *    while running. Target: drain >= 0.5 x echo, judged on the median of the
 *    per-round ratios (each pairs two runs back to back). The real drain carries two
 *    calls per notification (Push agent→gateway, then Resolve gateway→agent, each
 *    answered) where the echo carries one, and the gateway stores each durably
 *    (SQLite, synchronous=FULL, group commit) and the agent deletes it durably.
 *
 * 2. Live latency. A fresh gateway and a fresh agent connected to it; an SSE
 *    subscriber here (node:http) on GET /api/v1/notifications/stream?cluster=bench;
 *    a grpc-js client here offers Notify to the agent at RATE/s open-loop (call i is
 *    due at start + i/RATE whatever the earlier calls did; the timer fires every
 *    ~1 ms and sends what is due) for LIVE_WARMUP + LIVE_SECONDS s, messages like the
 *    agent-ingest benchmark's (~370 B, severities mixed 5:3:1:1, no dedupe keys,
 *    unique ids). Latency = arrival of the SSE event carrying the id here minus the
 *    moment its Notify call was issued here (performance.now(), one process). Reported
 *    for the measured calls: p50, p90, p99, max, how many arrived (all must), the
 *    Notify → OK latency, how late the sends were against their schedule, CPU of agent
 *    and gateway. Target: p99 <= 50 ms with every notification arriving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { createUnaryClient } from '@app/runtime';
import {
  builtEntry,
  fetchAgentQueueCount,
  repoRoot,
  scrapeMetrics,
  adminHeaders,
  installAlerting,
  joinArgs,
  spawnApp,
  waitFor,
  type LogLine,
  type SpawnedApp,
} from '@app/testing';
import { prefillQueue } from '../agent-ingest/prefill.js';
import {
  alternatingRounds,
  MESSAGE,
  onExit,
  processCpuSeconds,
  machineBusySeconds,
  fsType,
  median,
  fmtInt,
  fmtMs,
  fmtPct,
  verdict,
  runBenchmark,
} from '../common/bench-kit.js';

const QUEUED = Number(process.env.QUEUED ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WINDOW = Number(process.env.WINDOW ?? 512);
const POLL_MS = Number(process.env.POLL_MS ?? 50);
const RATE = Number(process.env.RATE ?? 500);
const LIVE_SECONDS = Number(process.env.LIVE_SECONDS ?? 10);
const LIVE_WARMUP_S = Number(process.env.LIVE_WARMUP ?? 1);
const ONLY = process.env.ONLY;
const AGENT_NODE_OPTIONS = process.env.AGENT_NODE_OPTIONS;
const AGENT_CPU_PROF = process.env.AGENT_CPU_PROF;
const GATEWAY_CPU_PROF = process.env.GATEWAY_CPU_PROF;
const COMPARE_ROOT = process.env.COMPARE_ROOT;

const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;
const CLUSTER = 'bench';
/** A drain or echo run that has not finished by then has stalled (the slowest seen is ~15x faster). */
const RUN_TIMEOUT_MS = Math.max(120_000, QUEUED * 2);
const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;

// ---- process bookkeeping (as in bench/agent-ingest) ------------------------------------

function temporaryDir(prefix: string): { path: string; remove: () => Promise<void> } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: onExit(() => rmSync(path, { recursive: true, force: true })) };
}

/** NODE_OPTIONS for an app process: extra options, and the profiler preload when profiling into `profileDir`. */
function appEnv(extraOptions: string | undefined, profileDir: string | undefined): NodeJS.ProcessEnv {
  const options = [extraOptions ?? ''];
  if (profileDir) options.push(`--import ${join(repoRoot, 'bench/agent-ingest/cpu-profile.mjs')}`);
  const env: NodeJS.ProcessEnv = {};
  if (options.join('').trim()) env.NODE_OPTIONS = options.join(' ').trim();
  if (profileDir) env.CPU_PROF_DIR = resolve(profileDir);
  return env;
}
const agentEnv = () => appEnv(AGENT_NODE_OPTIONS, AGENT_CPU_PROF);
const gatewayEnv = () => appEnv(undefined, GATEWAY_CPU_PROF);

/** A spawned app, stopped at the end even if the run fails. */
async function startApp(
  app: 'gateway' | 'agent',
  options: Parameters<typeof spawnApp>[1],
  root?: string,
): Promise<SpawnedApp & { stopNow: () => Promise<void> }> {
  const entry = root === undefined ? undefined : entryIn(root, app);
  const spawned = await spawnApp(app, { ...options, entry });
  const stopNow = onExit(async () => {
    const exit = await spawned.stop('SIGTERM', 10_000);
    if (exit.signal === 'SIGKILL') console.error(`${app} (pid ${spawned.process.pid}) did not stop within 10 s`);
  });
  return Object.assign(spawned, { stopNow });
}

/** An app's built entry in another checkout (compare mode). */
const entryIn = (root: string, app: 'gateway' | 'agent'): string =>
  resolve(root, `dist/apps/${app}/apps/${app}/src/main.js`);

/** The pair of this build, or of the checkout at `root` (compare mode). */
async function startConnectedPair(
  agentDataDir?: string,
  root?: string,
): Promise<{
  gateway: Awaited<ReturnType<typeof startApp>>;
  agent: Awaited<ReturnType<typeof startApp>>;
  connected: LogLine;
  spawnedAt: number;
}> {
  const gateway = await startApp('gateway', { env: gatewayEnv() }, root);
  const spawnedAt = Date.now();
  const agent = await startApp(
    'agent',
    {
      dataDir: agentDataDir,
      args: [...(await joinArgs(gateway, CLUSTER)), '--push-window', String(WINDOW)],
      env: agentEnv(),
      readyTimeoutMs: 120_000,
    },
    root,
  );
  // The agent pushes once alerting is installed for its cluster: install it, then the drain is on.
  await installAlerting(gateway.httpAddress, CLUSTER, 30_000);
  const connected = await waitFor(() => agent.logs.find((l) => l.event === 'push-started'), {
    timeoutMs: 30_000,
    intervalMs: 5,
    description: 'the agent to log "push-started"',
  });
  return { gateway, agent, connected, spawnedAt };
}

/** A child process of ours that prints JSON lines; `lines` collects them. */
interface JsonChild {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

function spawnJsonChild(script: string, args: string[], onLine?: (line: Record<string, unknown>) => void): JsonChild {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, script), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const part of parts) {
      try {
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        onLine?.(line);
      } catch {
        err += `${part}\n`; // not ours: shown if the process fails
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let hasExited = false;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      hasExited = true;
      done(code);
    }),
  );
  const stop = onExit(async () => {
    if (!hasExited) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  });
  return { child, lines, stderr: () => err, exited, stop };
}

// ---- /proc readings ------------------------------------------------------------------

/** CPU seconds of a set of processes, this one and the machine, from now on. */
function cpuMeter(pids: number[]): () => { processes: number[]; bench: number; others: number } {
  const before = { processes: pids.map(processCpuSeconds), bench: process.cpuUsage(), machine: machineBusySeconds() };
  return () => {
    const processes = pids.map((pid, i) => processCpuSeconds(pid) - before.processes[i]);
    const benchUsage = process.cpuUsage(before.bench);
    const bench = (benchUsage.user + benchUsage.system) / 1e6;
    const machine = machineBusySeconds() - before.machine;
    return { processes, bench, others: Math.max(0, machine - bench - processes.reduce((a, b) => a + b, 0)) };
  };
}

// ---- formatting ----------------------------------------------------------------------

const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const summaryLines: string[] = [];
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Epoch ms of a log line ("time" is an ISO string with our logger options, epoch ms with pino's default). */
function logTime(line: LogLine): number {
  const at = typeof line.time === 'number' ? line.time : Date.parse(String(line.time));
  if (!Number.isFinite(at)) throw new Error(`log line without a usable time: ${JSON.stringify(line)}`);
  return at;
}

/** Prints a progress line about once a second while a run goes on. */
function progressPrinter(label: string, total: number): (done: number, elapsedMs: number) => void {
  let last = { done: 0, ms: 0 };
  return (done, elapsedMs) => {
    if (elapsedMs - last.ms < 1_000 && done < total) return;
    const recent = ((done - last.done) * 1000) / Math.max(1, elapsedMs - last.ms);
    console.log(
      `  ${label} ${(elapsedMs / 1000).toFixed(1).padStart(5)} s: ${fmtInt(done).padStart(7)} / ${fmtInt(total)} ` +
        `(${fmtInt(recent)}/s since the last line, ${fmtInt((done * 1000) / Math.max(1, elapsedMs))}/s overall)`,
    );
    last = { done, ms: elapsedMs };
  };
}

// ---- 1. drain vs echo ------------------------------------------------------------------

interface RunResult {
  label: string;
  perSec: number;
  ms: number;
  /** CPU of the sender (agent / echo client) and of the receiver (gateway / echo server), 100% = one core. */
  senderCpu: number;
  receiverCpu: number;
  othersCpu: number;
  notes: string[];
}

async function drainRun(templateDir: string, root?: string): Promise<RunResult> {
  const dataDir = temporaryDir('drain-agent-');
  cpSync(templateDir, dataDir.path, { recursive: true });
  const { gateway, agent, connected, spawnedAt } = await startConnectedPair(dataDir.path, root);
  const meter = cpuMeter([agent.process.pid!, gateway.process.pid!]);
  const connectedAt = logTime(connected);
  const print = progressPrinter('drain', QUEUED);
  const notes = [
    `agent pid ${agent.process.pid}, gateway pid ${gateway.process.pid}`,
    `spawn → push-started (connected, alerting installed) ${fmtInt(connectedAt - spawnedAt)} ms`,
  ];
  let drainedAt: number;
  for (;;) {
    const count = await fetchAgentQueueCount(agent.httpAddress);
    const now = Date.now();
    print(QUEUED - count, now - connectedAt);
    if (count === 0) {
      drainedAt = now;
      break;
    }
    if (now - connectedAt > RUN_TIMEOUT_MS) throw new Error(`drain: ${count} still queued after ${RUN_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
  const cpu = meter();
  const ms = drainedAt - connectedAt;

  // Everything arrived exactly once, and was resolved.
  const [gatewayMetrics, agentMetrics] = await Promise.all([
    scrapeMetrics(gateway.httpAddress),
    scrapeMetrics(agent.httpAddress),
  ]);
  const stored = gatewayMetrics.sum('gateway_notifications_total', { cluster: CLUSTER, outcome: 'stored' });
  const resolved = agentMetrics.sum('agent_resolved_total');
  if (stored !== QUEUED || resolved !== QUEUED) {
    throw new Error(`drain: the gateway stored ${stored} and the agent counted ${resolved} resolved, not ${QUEUED}`);
  }
  const deduplicated = gatewayMetrics.sum('gateway_notifications_total', { cluster: CLUSTER, outcome: 'deduplicated' });
  const failedPushes = agentMetrics.sum('agent_pushes_total', { outcome: 'failed' });
  if (deduplicated || failedPushes) notes.push(`${deduplicated} deduplicated, ${failedPushes} failed pushes`);

  await agent.stopNow();
  await gateway.stopNow();
  await dataDir.remove();
  const seconds = ms / 1000;
  return {
    label: 'drain',
    perSec: QUEUED / seconds,
    ms,
    senderCpu: (cpu.processes[0] / seconds) * 100,
    receiverCpu: (cpu.processes[1] / seconds) * 100,
    othersCpu: (cpu.others / seconds) * 100,
    notes,
  };
}

async function echoRun(queueDb: string): Promise<RunResult> {
  const server = spawnJsonChild('bench/drain/echo-session-server.ts', []);
  const listening = await waitFor(
    async () => {
      if (server.child.exitCode !== null) throw new Error(`echo server exited: ${server.stderr()}`);
      return server.lines.find((l) => l.event === 'listening');
    },
    { timeoutMs: 30_000, description: 'the echo server to listen' },
  );
  const print = progressPrinter('echo ', QUEUED);
  let ready = () => undefined as void;
  const readyNow = new Promise<void>((done) => (ready = done));
  const client = spawnJsonChild(
    'bench/drain/echo-session-client.ts',
    [String(listening.grpc), queueDb, String(WINDOW)],
    (line) => {
      if (line.event === 'ready') ready();
      if (line.event === 'progress') print(Number(line.answered), Number(line.atMs));
    },
  );
  await Promise.race([readyNow, client.exited]);
  if (client.child.exitCode !== null) throw new Error(`echo client exited: ${client.stderr()}`);
  // The client's clock starts at Welcome, right after "ready"; server and machine CPU are read from here.
  const meter = cpuMeter([server.child.pid!]);
  const done = await waitFor(
    () => {
      if (client.child.exitCode !== null && !client.lines.some((l) => l.event === 'done'))
        throw new Error(`echo client exited: ${client.stderr()}`);
      return client.lines.find((l) => l.event === 'done');
    },
    { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 10, description: 'the echo client to finish' },
  );
  const cpu = meter();
  const ms = Number(done.ms);
  print(Number(done.answered), ms);
  if (Number(done.answered) !== QUEUED || Number(done.failed) !== 0) {
    throw new Error(`echo: ${String(done.answered)} answered, ${String(done.failed)} failed, not ${QUEUED} OK`);
  }
  await client.exited;
  await client.stop();
  await server.stop();
  const seconds = ms / 1000;
  const clientCpu = Number(done.cpuMs) / 1000;
  return {
    label: 'echo',
    perSec: QUEUED / seconds,
    ms,
    senderCpu: (clientCpu / seconds) * 100,
    receiverCpu: (cpu.processes[0] / seconds) * 100,
    // The client process is not this one: its CPU is in "bench"; take it out of the others.
    othersCpu: (Math.max(0, cpu.others - Math.max(0, clientCpu - cpu.bench)) / seconds) * 100,
    notes: [],
  };
}

/** CPU µs per notification of a process that used `cpuPercent` of a core during run `r`. */
const usPerNotification = (cpuPercent: number, r: RunResult): number => (cpuPercent * 1e4) / r.perSec;
const cpuSplit = (r: RunResult): string =>
  `${fmtInt(usPerNotification(r.senderCpu, r))} + ${fmtInt(usPerNotification(r.receiverCpu, r))}`;

function runLine(r: RunResult): string {
  return (
    `${r.label} ${fmtInt(r.perSec)}/s in ${fmtS(r.ms)}, CPU ${r.label === 'drain' ? 'agent' : 'client'} ` +
    `${fmtPct(r.senderCpu)} ${r.label === 'drain' ? 'gateway' : 'server'} ${fmtPct(r.receiverCpu)} ` +
    `others ${fmtPct(r.othersCpu)}, CPU/notification ${cpuSplit(r)} µs` +
    (r.notes.length ? ` (${r.notes.join('; ')})` : '')
  );
}

/** The template data dir every drain run copies: QUEUED notifications written straight into queue.db. */
async function prefilledTemplate(): Promise<{ path: string; remove: () => Promise<void> }> {
  const template = temporaryDir('drain-template-');
  const filled = await prefillQueue(template.path, QUEUED, agentEnv());
  console.log(
    `prefill (bench/agent-ingest/prefill.ts, once; each drain run gets a copy): ${fmtInt(QUEUED)} rows ` +
      `(${SEVERITIES.map((s, i) => `${s} ${fmtInt(filled.bySeverity[i])}`).join(', ')}; ` +
      `${fmtInt(filled.withDedupeKey)} with a dedupe key), ${Math.round(filled.payloadBytes / QUEUED)} B payloads ` +
      `(+ opni_uuid on the wire), queue.db ${(filled.fileBytes / 2 ** 20).toFixed(0)} MB, ` +
      `written in ${(filled.ms / 1000).toFixed(1)} s`,
  );
  return template;
}

/**
 * Compare mode (COMPARE_ROOT): the drain by this build (A) against the drain by another
 * checkout's built gateway and agent (B), on copies of one template, ROUNDS rounds in
 * alternating order. The ratio of two runs back to back moves far less than either run on a
 * shared machine, so it tells a change of a few percent from the noise.
 */
async function compareDrains(root: string): Promise<void> {
  for (const app of ['gateway', 'agent'] as const) {
    if (!existsSync(entryIn(root, app))) throw new Error(`${entryIn(root, app)} is missing: build that checkout first`);
  }
  console.log(
    `\n## 1. Compare: drain of ${fmtInt(QUEUED)} queued notifications by A (this build) vs B (${root}), ` +
      `window ${WINDOW}, ${ROUNDS} rounds\n`,
  );
  const template = await prefilledTemplate();
  const [a, b] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'A', run: () => drainRun(template.path) },
      { name: 'B', run: () => drainRun(template.path, root) },
    ],
    {
      beforeRun: (round, name) => console.log(`round ${round}, ${name}:`),
      afterRound: (round, ran) =>
        console.log(`round ${round}: ${ran.map(({ name, result }) => `${name}: ${runLine(result)}`).join(' | ')}\n`),
    },
  );
  const ratios = a.map((r, i) => b[i].perSec / r.perSec);
  const cost = (rs: RunResult[]) =>
    median(rs.map((r) => usPerNotification(r.senderCpu, r) + usPerNotification(r.receiverCpu, r)));
  const line =
    `drain B / drain A: ${median(ratios).toFixed(3)}x (median of the per-round ratios ` +
    `${ratios.map((x) => x.toFixed(3)).join(', ')}; A ${fmtInt(median(a.map((r) => r.perSec)))}/s, ` +
    `B ${fmtInt(median(b.map((r) => r.perSec)))}/s); CPU per notification (agent + gateway) A ${fmtInt(cost(a))} µs, ` +
    `B ${fmtInt(cost(b))} µs`;
  console.log(`\n${line}`);
  summaryLines.push(line);
  await template.remove();
}

async function drain(): Promise<void> {
  console.log(
    `\n## 1. Drain of ${fmtInt(QUEUED)} queued notifications vs. a plain grpc-js bidirectional echo, ` +
      `window ${WINDOW}, ${ROUNDS} rounds\n`,
  );
  const template = await prefilledTemplate();
  console.log(
    `drain clock: agent's "push-started" → first poll (every ${POLL_MS} ms) reading queue count 0; ` +
      `echo clock: Welcome → last RpcResult\n`,
  );
  const queueDb = join(template.path, 'queue.db');
  const [echoes, drains] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'echo', run: () => echoRun(queueDb) },
      { name: 'drain', run: () => drainRun(template.path) },
    ],
    {
      beforeRun: (round, name) => console.log(`round ${round}, ${name}:`),
      afterRound: (round, ran) => {
        const perSec = (name: string) => ran.find((r) => r.name === name)!.result.perSec;
        console.log(
          `round ${round}: ${ran.map(({ result }) => runLine(result)).join(' | ')}; ` +
            `ratio ${(perSec('drain') / perSec('echo')).toFixed(2)}x\n`,
        );
      },
    },
  );

  const echoMedian = median(echoes.map((r) => r.perSec));
  console.log(
    '| run | notifications/s (median) | min..max /s | / echo | wall time (median) | CPU sender | CPU receiver ' +
      '| CPU µs/notification sender + receiver | others CPU |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, rs] of [
    ['echo (plain grpc-js Connect stream)', echoes],
    [`drain (agent → gateway, window ${WINDOW})`, drains],
  ] as const) {
    const rates = rs.map((r) => r.perSec);
    console.log(
      `| ${name} | ${fmtInt(median(rates))} | ${fmtInt(Math.min(...rates))}..${fmtInt(Math.max(...rates))} ` +
        `| ${(median(rates) / echoMedian).toFixed(2)}x | ${fmtS(median(rs.map((r) => r.ms)))} ` +
        `| ${fmtPct(median(rs.map((r) => r.senderCpu)))} | ${fmtPct(median(rs.map((r) => r.receiverCpu)))} ` +
        `| ${fmtInt(median(rs.map((r) => usPerNotification(r.senderCpu, r))))} + ` +
        `${fmtInt(median(rs.map((r) => usPerNotification(r.receiverCpu, r))))} ` +
        `| ${fmtPct(median(rs.map((r) => r.othersCpu)))} |`,
    );
  }
  // Each round's two runs are back to back, so drift of the machine's speed between rounds cancels out.
  const ratios = drains.map((r, i) => r.perSec / echoes[i].perSec);
  const ratio = median(ratios);
  const line =
    `drain / echo: ${ratio.toFixed(2)}x (median of the per-round ratios ${ratios.map((x) => x.toFixed(2)).join(', ')}; ` +
    `drain ${fmtInt(median(drains.map((r) => r.perSec)))}/s, echo ${fmtInt(echoMedian)}/s); ` +
    `target >= ${TARGET_RATIO.toFixed(2)}x: ${verdict(ratio >= TARGET_RATIO)}`;
  console.log(`\n${line}`);
  const cost = (rs: RunResult[]) =>
    median(rs.map((r) => usPerNotification(r.senderCpu, r) + usPerNotification(r.receiverCpu, r)));
  console.log(
    `sender / receiver: agent / gateway for the drain, echo client / echo server for the echo. CPU per ` +
      `notification: drain ${fmtInt(cost(drains))} µs, echo ${fmtInt(cost(echoes))} µs: on a machine where CPU is ` +
      `the limit the drain could reach about ${(cost(echoes) / cost(drains)).toFixed(2)}x echo`,
  );
  const worstPoll = POLL_MS + 10;
  console.log(
    `measurement error of the drain clock: <= ~${worstPoll} ms late (poll interval + HTTP), ` +
      `${((worstPoll / median(drains.map((r) => r.ms))) * 100).toFixed(1)}% of the median drain time`,
  );
  const others = Math.max(...[...drains, ...echoes].map((r) => r.othersCpu));
  if (others >= 20) {
    console.log(
      `note: other processes used up to ${fmtPct(others)} of a core during some runs ("others CPU"; ` +
        `${cpus().length} cores): those runs were disturbed; rerun on a quiet machine to confirm.`,
    );
  }
  const busiest = median(drains.map((r) => Math.max(r.senderCpu, r.receiverCpu)));
  if (busiest >= 90) {
    console.log(
      `note: one side of the drain used ${fmtPct(busiest)} of a core: it is CPU-bound there; profile it with ` +
        'AGENT_CPU_PROF=<dir> / GATEWAY_CPU_PROF=<dir>.',
    );
  }
  summaryLines.push(line);
  await template.remove();
}

// ---- 2. live latency -------------------------------------------------------------------

/** Subscribes to the gateway's SSE feed; calls `onEvent` with each notification event's id. */
async function subscribeSse(
  httpAddress: string,
  query: string,
  onEvent: (id: string) => void,
): Promise<{ close: () => void }> {
  const request = http.get(`http://${httpAddress}/api/v1/notifications/stream?${query}`, {
    headers: adminHeaders(httpAddress),
  });
  const response = await new Promise<http.IncomingMessage>((done, fail) => {
    request.once('response', done);
    request.once('error', fail);
  });
  if (response.statusCode !== 200) throw new Error(`SSE: HTTP ${response.statusCode}`);
  let buffered = '';
  response.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (!event.startsWith('event: notification\n')) continue; // comments: ": connected", ": heartbeat"
      const data = event.split('\n').find((l) => l.startsWith('data: '));
      if (data) onEvent((JSON.parse(data.slice(6)) as { id: string }).id);
    }
  });
  // The gateway subscribes before it sends the response head: from here on nothing is missed.
  return { close: () => request.destroy() };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
}

async function live(): Promise<void> {
  const warmupCalls = Math.round(RATE * LIVE_WARMUP_S);
  const measuredCalls = Math.round(RATE * LIVE_SECONDS);
  const total = warmupCalls + measuredCalls;
  console.log(
    `\n## 2. Notify → SSE latency at ${fmtInt(RATE)} notifications/s offered (open loop), ` +
      `${LIVE_WARMUP_S} s warm-up + ${LIVE_SECONDS} s measured\n`,
  );
  const { gateway, agent } = await startConnectedPair();
  console.log(`agent pid ${agent.process.pid}, gateway pid ${gateway.process.pid}`);
  const prefix = `live-${process.pid}-`;
  const issuedAt = new Float64Array(total).fill(NaN);
  const dueAt = new Float64Array(total);
  const okAt = new Float64Array(total).fill(NaN);
  const arrivedAt = new Float64Array(total).fill(NaN);
  let arrived = 0;
  let strays = 0;
  const sse = await subscribeSse(gateway.httpAddress, `cluster=${CLUSTER}`, (id) => {
    const i = id.startsWith(prefix) ? Number(id.slice(prefix.length)) : NaN;
    if (!(i >= 0 && i < total) || !Number.isNaN(arrivedAt[i])) {
      strays++;
      return;
    }
    arrivedAt[i] = performance.now();
    arrived++;
  });
  onExit(() => sse.close());

  const client = createUnaryClient('alerting.NotificationService', agent.grpcAddress);
  onExit(() => client.close());
  await new Promise<void>((done, fail) =>
    client.raw.waitForReady(Date.now() + 10_000, (error) => (error ? fail(error) : done())),
  );
  const errors = new Map<string, number>();
  const send = (i: number) => {
    const properties = {
      ...MESSAGE.properties,
      opni_severity: SEVERITIES[[0, 1, 0, 2, 1, 0, 3, 0, 1, 0][i % 10] ?? 0],
    };
    issuedAt[i] = performance.now();
    client.notify({ id: prefix + i, message: { ...MESSAGE, properties } }, { deadline: Date.now() + 10_000 }).then(
      () => (okAt[i] = performance.now()),
      (error: grpc.ServiceError) => {
        const key = `${error.code} ${error.details ?? error.message}`.slice(0, 160);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      },
    );
  };

  const interval = 1000 / RATE;
  let meter: ReturnType<typeof cpuMeter> | undefined;
  const start = performance.now() + 20;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + next * interval <= now) {
      if (next === warmupCalls) meter = cpuMeter([agent.process.pid!, gateway.process.pid!]);
      dueAt[next] = start + next * interval;
      send(next++);
    }
    if (next < total) await sleep(Math.max(0, start + next * interval - performance.now()));
  }
  const sendingEnded = performance.now();
  await waitFor(() => arrived === total || errors.size > 0, { timeoutMs: 10_000, intervalMs: 10 }).catch(
    () => undefined,
  );
  const cpu = meter?.() ?? { processes: [NaN, NaN], bench: NaN, others: NaN };
  const cpuSeconds = (performance.now() - (start + warmupCalls * interval)) / 1000;

  const measured = (values: Float64Array, from: Float64Array) => {
    const out: number[] = [];
    for (let i = warmupCalls; i < total; i++) if (!Number.isNaN(values[i])) out.push(values[i] - from[i]);
    return Float64Array.from(out).sort();
  };
  const latency = measured(arrivedAt, issuedAt);
  const fromSchedule = measured(arrivedAt, dueAt);
  const notifyOk = measured(okAt, issuedAt);
  const lateness = measured(issuedAt, dueAt);
  let measuredArrived = 0;
  for (let i = warmupCalls; i < total; i++) if (!Number.isNaN(arrivedAt[i])) measuredArrived++;
  const offeredRate = ((total - 1) * 1000) / (sendingEnded - start);

  console.log('');
  console.log('| measure | p50 ms | p90 ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (name: string, xs: Float64Array) =>
    console.log(
      `| ${name} | ${fmtMs(percentile(xs, 0.5))} | ${fmtMs(percentile(xs, 0.9))} | ${fmtMs(percentile(xs, 0.99))} ` +
        `| ${fmtMs(xs[xs.length - 1] ?? NaN)} |`,
    );
  row('Notify issued → event on the SSE feed', latency);
  row('(same, from the scheduled send time)', fromSchedule);
  row('Notify issued → Notify OK (agent durable)', notifyOk);
  row('send lateness against the schedule', lateness);
  console.log('');
  console.log(
    `arrived on the feed: ${fmtInt(measuredArrived)} of ${fmtInt(measuredCalls)} measured ` +
      `(${fmtInt(arrived)} of ${fmtInt(total)} with the warm-up; ${strays} strays or repeats); ` +
      `Notify errors: ${errors.size ? [...errors].map(([k, n]) => `${n} x ${k}`).join('; ') : '0'}; ` +
      `offered ${fmtInt(offeredRate)}/s; CPU over the measured part: agent ${fmtPct((cpu.processes[0] / cpuSeconds) * 100)}, ` +
      `gateway ${fmtPct((cpu.processes[1] / cpuSeconds) * 100)}, this process ${fmtPct((cpu.bench / cpuSeconds) * 100)}, ` +
      `others ${fmtPct((cpu.others / cpuSeconds) * 100)}`,
  );
  const othersPct = (cpu.others / cpuSeconds) * 100;
  if (othersPct >= 20) {
    console.log(
      `note: other processes used ${fmtPct(othersPct)} of a core meanwhile (${cpus().length} cores): the tail ` +
        'latency was measured on a contended machine; rerun on a quiet one to confirm.',
    );
  }
  const p99 = percentile(latency, 0.99);
  const allArrived = measuredArrived === measuredCalls && errors.size === 0;
  const line =
    `Notify → SSE at ${fmtInt(RATE)}/s: p50 ${fmtMs(percentile(latency, 0.5))} ms, p99 ${fmtMs(p99)} ms, ` +
    `max ${fmtMs(latency[latency.length - 1] ?? NaN)} ms, ${fmtInt(measuredArrived)}/${fmtInt(measuredCalls)} arrived; ` +
    `target p99 <= ${TARGET_P99_MS} ms, all arrive: ${verdict(p99 <= TARGET_P99_MS && allArrived)}`;
  console.log(`\n${line}`);
  summaryLines.push(line);
  sse.close();
  client.close();
  await agent.stopNow();
  await gateway.stopNow();
}

// ---- main ------------------------------------------------------------------------------

async function main(): Promise<void> {
  for (const app of ['gateway', 'agent'] as const) {
    if (!existsSync(builtEntry(app))) throw new Error(`${builtEntry(app)} is missing: run \`npm run build\` first`);
  }
  console.log(
    `# drain benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `knobs: QUEUED=${QUEUED} ROUNDS=${ROUNDS} WINDOW=${WINDOW} POLL_MS=${POLL_MS} RATE=${RATE} ` +
      `LIVE_SECONDS=${LIVE_SECONDS} LIVE_WARMUP=${LIVE_WARMUP_S}${ONLY ? ` ONLY=${ONLY}` : ''}` +
      `${COMPARE_ROOT ? ` COMPARE_ROOT=${COMPARE_ROOT}` : ''}` +
      `${AGENT_NODE_OPTIONS ? ` AGENT_NODE_OPTIONS="${AGENT_NODE_OPTIONS}"` : ''}` +
      `${AGENT_CPU_PROF ? ` AGENT_CPU_PROF=${AGENT_CPU_PROF}` : ''}${GATEWAY_CPU_PROF ? ` GATEWAY_CPU_PROF=${GATEWAY_CPU_PROF}` : ''}; ` +
      `data dirs under ${tmpdir()} (${fsType(tmpdir())})`,
  );
  if (ONLY !== 'live') await (COMPARE_ROOT === undefined ? drain() : compareDrains(COMPARE_ROOT));
  if (ONLY !== 'drain') await live();
  console.log('\n## Summary\n');
  for (const line of summaryLines) console.log(`- ${line}`);
}

await runBenchmark(main);

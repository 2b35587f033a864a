/**
 * Benchmark: how fast the built agent accepts notifications (Notify over gRPC on
 * loopback) against a plain grpc-js echo server, and how fast it answers again when
 * restarted with a full queue. The acceptance benchmark of issue 4.
 *
 *   npm run bench:agent-ingest
 *   # = node --expose-gc --import tsx bench/agent-ingest/agent-ingest.bench.ts
 *
 * Needs the built agent (`npm run build`: dist/apps/agent/apps/agent/src/main.js).
 * Environment knobs: CONCURRENCY=64 CHANNELS=4 DURATION=10 WARMUP=2 ROUNDS=3 (seconds)
 * CLIENT=http2|grpc-js QUEUED=1000000 ONLY=throughput|restart AGENT_NODE_OPTIONS=... (extra
 * NODE_OPTIONS for every agent process) AGENT_CPU_PROF=<dir> (profile every agent process:
 * <dir>/<pid>.cpuprofile, written when it stops; `--cpu-prof` is not allowed in NODE_OPTIONS,
 * so ./cpu-profile.mjs does it; summarise with `node bench/agent-ingest/cpu-profile-top.mjs`).
 * COMPARE_ENTRY=<another build's dist/apps/agent/apps/agent/src/main.js> and/or
 * COMPARE_ENV="K=V,..." (NODE_OPTIONS=..., AGENT_* settings): instead of (1), agent A (this
 * build) against agent B, alternating, and the median B/A ratio (see compare()).
 *
 * 1. Throughput. Each round starts (a) the built agent with fsync durability (the
 *    default) on a fresh temporary data dir and (b) a plain grpc-js echo server
 *    (./echo-server.ts: same service definition and ts-proto codecs, the handler answers
 *    `{ id, coalesced: false }` at once), each in its own child process, one after the
 *    other, in alternating order. The same client (this process: CONCURRENCY calls in
 *    flight, spread over CHANNELS separate HTTP/2 connections, closed loop) calls Notify
 *    with the same realistic message (title 40 B, body 196 B, 4 properties including
 *    opni_severity) and a unique id per call for WARMUP s, then for DURATION s measured.
 *    The client is by default a minimal gRPC client on node:http2 (same bytes on the
 *    wire): grpc-js's own client costs about twice the CPU per call of grpc-js's server,
 *    so with it (CLIENT=grpc-js) the load generator, not the server, is the bottleneck on
 *    a small machine, both servers idle part of the time and the ratio says little.
 *    Reported per server: completed calls/s, p50 and p99 latency of the calls completed in
 *    the measured window, CPU of the server process (also per call), of the client
 *    process and of everything else on the machine (other tenants; 100% = one core),
 *    errors, and for the agent its group commit over the window (from its /metrics:
 *    writes per transaction, transactions per fsync, mean time to durable). Medians over ROUNDS rounds; then one run of the agent with
 *    `--queue-durability os`. Target: agent (fsync) >= 0.8 x echo calls/s, judged on the
 *    median of the per-round ratios (each round's two runs are back to back). Also
 *    printed: server CPU per call, the ratio least disturbed by the client and by
 *    other tenants.
 *
 * 2. Restart with QUEUED notifications. ./prefill.ts fills a fresh data dir (the agent
 *    boots once for its schema; then one transaction, a prepared INSERT, ascending seq,
 *    UUID ids, severities mixed, every 10th row with a dedupe key, ~350 B payloads
 *    encoded with alerting.Notification.encode, a WAL checkpoint). The agent is spawned
 *    on it, on a port chosen here so that the clock starts at spawn; its port is polled
 *    with TCP connects every 10 ms, then Notify is called (a Warning, a fresh connection
 *    and a short deadline per attempt) until one answers OK. Reported: spawn -> first OK
 *    (target <= 3 s), VmRSS (target <= 400 MB) and VmHWM of the agent right after, and
 *    the agent's own timings from its logs. With QUEUED = 1,000,000 (the default
 *    --queue-max-count) the queue is full, so that first Notify also evicts the oldest
 *    Info: the path a full agent takes. The freshly written file is in the page cache,
 *    as after an agent crash; a cold start after a node reboot would read it from disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import http2 from 'node:http2';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { alerting } from '@app/proto';
import { createUnaryClient, type UnaryClient } from '@app/runtime';
import { builtEntry, repoRoot, scrapeMetrics, spawnApp, waitFor, type SpawnedApp } from '@app/testing';
import { prefillQueue } from './prefill.js';
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

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const CHANNELS = Number(process.env.CHANNELS ?? 4);
const DURATION_S = Number(process.env.DURATION ?? 10);
const WARMUP_S = Number(process.env.WARMUP ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const QUEUED = Number(process.env.QUEUED ?? 1_000_000);
const ONLY = process.env.ONLY;
const CLIENT = process.env.CLIENT === 'grpc-js' ? 'grpc-js' : 'http2';
const AGENT_NODE_OPTIONS = process.env.AGENT_NODE_OPTIONS;
const AGENT_CPU_PROF = process.env.AGENT_CPU_PROF;
/** Compare mode: agent B is another build (its main.js) and/or runs with extra environment ("K=V,K2=V2"). */
const COMPARE_ENTRY = process.env.COMPARE_ENTRY;
const COMPARE_ENV = process.env.COMPARE_ENV;
const COMPARING = COMPARE_ENTRY !== undefined || COMPARE_ENV !== undefined;

const TARGET_RATIO = 0.8;
const TARGET_FIRST_OK_MS = 3_000;
const TARGET_RSS_MB = 400;
const CALL_DEADLINE_MS = 10_000;

// ---- process bookkeeping -------------------------------------------------------------

interface Server {
  label: string;
  pid: number;
  address: string;
  stop(): Promise<void>;
  /** The agent's commit counters from its /metrics (the echo has none). */
  commitCounters?: () => Promise<CommitCounters>;
}

interface CommitCounters {
  transactions: number;
  writes: number;
  seconds: number;
  fsyncs: number;
}

async function agentCommitCounters(httpAddress: string): Promise<CommitCounters> {
  const metrics = await scrapeMetrics(httpAddress);
  const read = (name: string) => metrics.value(name) ?? NaN;
  return {
    transactions: read('agent_queue_commits_total'),
    writes: read('agent_queue_commit_writes_total'),
    seconds: read('agent_queue_commit_seconds_total'),
    fsyncs: read('agent_queue_fsyncs_total'),
  };
}

async function startEcho(): Promise<Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'bench/agent-ingest/echo-server.ts')],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  const stop = onExit(async () => {
    if (!exitedEarly) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const listening = await waitFor(
    () => {
      if (exitedEarly) throw new Error(`echo server exited before listening: ${err}`);
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      return line ? (JSON.parse(line) as { grpc: string }) : undefined;
    },
    { timeoutMs: 30_000, description: 'the echo server to listen' },
  ).catch(async (error: Error) => {
    await stop();
    throw error;
  });
  return { label: 'echo', pid: child.pid!, address: listening.grpc, stop };
}

/** Environment of every agent process: AGENT_NODE_OPTIONS, and the profiler preload for AGENT_CPU_PROF. */
function agentEnv(): NodeJS.ProcessEnv {
  const options = [AGENT_NODE_OPTIONS ?? ''];
  if (AGENT_CPU_PROF) options.push(`--import ${join(repoRoot, 'bench/agent-ingest/cpu-profile.mjs')}`);
  const env: NodeJS.ProcessEnv = {};
  if (options.join('').trim()) env.NODE_OPTIONS = options.join(' ').trim();
  if (AGENT_CPU_PROF) env.CPU_PROF_DIR = resolve(AGENT_CPU_PROF);
  return env;
}

/** "K=V,K2=V2" as environment variables; a value may contain "=" (NODE_OPTIONS=--flag=1). */
function parseEnvList(list: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const pair of list.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`COMPARE_ENV: "${pair}" is not K=V`);
    env[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return env;
}

async function startAgent(
  durability: 'fsync' | 'os',
  variant: { entry?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Server> {
  const app = await spawnApp('agent', {
    args: ['--queue-durability', durability],
    env: { ...agentEnv(), ...variant.env },
    entry: variant.entry,
  });
  const stop = onExit(() => app.stop('SIGTERM', 10_000));
  return {
    label: `agent ${durability}`,
    pid: app.process.pid!,
    address: app.grpcAddress,
    stop,
    commitCounters: () => agentCommitCounters(app.httpAddress),
  };
}

// ---- /proc readings ------------------------------------------------------------------

/** VmRSS and VmHWM (peak RSS) of a process, in MB (2^20 bytes). */
function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

// ---- load --------------------------------------------------------------------------

type NotifyClient = UnaryClient<'alerting.NotificationService'>;

/** A grpc-js client on its own HTTP/2 connection (grpc-js shares subchannels between clients otherwise). */
function newClient(address: string, options: grpc.ClientOptions = {}): NotifyClient {
  return createUnaryClient('alerting.NotificationService', address, undefined, {
    'grpc.use_local_subchannel_pool': 1,
    ...options,
  });
}

/** One connection of the load generator: calls Notify with this id and MESSAGE; rejects unless OK. */
interface Connection {
  notify(id: string): Promise<void>;
  close(): void;
}

/** CLIENT=grpc-js: the promise client of @app/runtime, ts-proto codecs on both ends. */
async function grpcJsConnection(address: string): Promise<Connection> {
  const client = newClient(address);
  await new Promise<void>((resolve, reject) =>
    client.raw.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
  );
  return {
    async notify(id) {
      try {
        const response = await client.notify({ id, message: MESSAGE }, { deadline: Date.now() + CALL_DEADLINE_MS });
        if (response.id !== id) throw new Error(`answered id ${response.id}`);
      } catch (error) {
        const e = error as grpc.ServiceError;
        throw new Error(e.code === undefined ? e.message : `${grpc.status[e.code]}: ${e.details}`, { cause: error });
      }
    },
    close: () => client.close(),
  };
}

const MESSAGE_BYTES = Buffer.from(alerting.Notification.encode(MESSAGE).finish());
const PATH = '/alerting.NotificationService/Notify';
const HEADERS = {
  ':method': 'POST',
  ':path': PATH,
  'content-type': 'application/grpc',
  te: 'trailers',
} as const;

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/**
 * A length-prefixed gRPC message holding AgentNotification{id, MESSAGE}: the bytes
 * ts-proto writes (checked at start), built from MESSAGE encoded once.
 */
function requestFrame(id: string): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const head = Buffer.from([0x0a, ...varint(idBytes.length)]); // field 1 (id), length-delimited
  const mid = Buffer.from([0x12, ...varint(MESSAGE_BYTES.length)]); // field 2 (message)
  const length = head.length + idBytes.length + mid.length + MESSAGE_BYTES.length;
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0; // not compressed
  prefix.writeUInt32BE(length, 1);
  return Buffer.concat([prefix, head, idBytes, mid, MESSAGE_BYTES], 5 + length);
}

{
  const id = 'bench-12345-1-67890';
  const tsProto = Buffer.from(alerting.AgentNotification.encode({ id, message: MESSAGE }).finish());
  if (!requestFrame(id).subarray(5).equals(tsProto)) throw new Error('requestFrame differs from ts-proto encoding');
}

/**
 * CLIENT=http2 (default): a minimal gRPC client on node:http2 — one HTTP/2 stream per
 * call, the same bytes on the wire as grpc-js with ts-proto, grpc-status checked and the
 * NotifyResponse decoded — at about half the CPU per call of grpc-js's client, so that on
 * a small machine the servers, not the load generator, set the pace.
 */
async function http2Connection(address: string): Promise<Connection> {
  const session = http2.connect(`http://${address}`);
  let failure: Error | undefined;
  session.on('error', (error) => (failure = error));
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return {
    notify(id) {
      if (failure) return Promise.reject(failure);
      return new Promise<void>((resolve, reject) => {
        const stream = session.request(HEADERS);
        const chunks: Buffer[] = [];
        let status: string | undefined;
        let message = '';
        const statusFrom = (headers: http2.IncomingHttpHeaders) => {
          if (headers['grpc-status'] === undefined) return;
          status = String(headers['grpc-status']);
          message = decodeURIComponent(String(headers['grpc-message'] ?? ''));
        };
        stream.on('response', statusFrom); // a trailers-only answer (errors) carries the status here
        stream.on('trailers', statusFrom);
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          if (status !== '0') return reject(new Error(`${grpc.status[Number(status)] ?? status}: ${message}`));
          const body = Buffer.concat(chunks);
          const response = alerting.NotifyResponse.decode(body.subarray(5, 5 + body.readUInt32BE(1)));
          if (response.id !== id) return reject(new Error(`answered id ${response.id}`));
          resolve();
        });
        stream.end(requestFrame(id));
      });
    },
    close: () => session.close(),
  };
}

const connect = CLIENT === 'grpc-js' ? grpcJsConnection : http2Connection;

interface RunResult {
  label: string;
  callsPerSec: number;
  p50: number;
  p99: number;
  serverCpu: number;
  clientCpu: number;
  /** CPU used by everything else on the machine meanwhile (other tenants), 100% = one core. */
  otherCpu: number;
  errors: Map<string, number>;
  /** The agent's group commit over the measured window, from its /metrics. */
  commits?: { writesPerTransaction: number; transactionsPerFsync: number; meanDurableMs: number; fsyncsPerSec: number };
}

let runCounter = 0;

/** CONCURRENCY closed-loop callers over CHANNELS connections: WARMUP s, then DURATION s measured. */
async function drive(server: Server): Promise<RunResult> {
  const connections: Connection[] = [];
  try {
    for (let i = 0; i < CHANNELS; i++) connections.push(await connect(server.address));
    const prefix = `bench-${process.pid}-${++runCounter}-`;
    let next = 0;
    const latencies: number[] = [];
    const errors = new Map<string, number>();
    let ok = 0;
    const t0 = performance.now();
    const start = t0 + WARMUP_S * 1000;
    const end = start + DURATION_S * 1000;
    let cpuAtStart = { server: 0, client: process.cpuUsage(), machine: 0 };
    let commitsAtStart: Promise<CommitCounters> | undefined;
    const marker = setTimeout(() => {
      cpuAtStart = { server: processCpuSeconds(server.pid), client: process.cpuUsage(), machine: machineBusySeconds() };
      commitsAtStart = server.commitCounters?.();
    }, start - t0);

    const worker = async (connection: Connection) => {
      for (;;) {
        const sent = performance.now();
        if (sent >= end) return;
        let failure: string | undefined;
        try {
          await connection.notify(prefix + next++);
        } catch (error) {
          failure = (error as Error).message.slice(0, 160);
        }
        const done = performance.now();
        if (done < start || done > end) continue;
        if (failure === undefined) {
          ok++;
          latencies.push(done - sent);
        } else {
          errors.set(failure, (errors.get(failure) ?? 0) + 1);
        }
      }
    };
    const finished = Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(connections[i % CHANNELS])));
    await new Promise((resolve) => setTimeout(resolve, end - performance.now()));
    const serverCpu = processCpuSeconds(server.pid) - cpuAtStart.server;
    const clientCpu = process.cpuUsage(cpuAtStart.client);
    const machineCpu = machineBusySeconds() - cpuAtStart.machine;
    const clientSeconds = (clientCpu.user + clientCpu.system) / 1e6;
    const commitsAtEnd = server.commitCounters?.();
    clearTimeout(marker);
    await finished;
    const commits = await commitWindow(await commitsAtStart, await commitsAtEnd);

    const sorted = Float64Array.from(latencies).sort();
    const pct = (q: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
    return {
      label: server.label,
      callsPerSec: ok / DURATION_S,
      p50: pct(0.5),
      p99: pct(0.99),
      serverCpu: (serverCpu / DURATION_S) * 100,
      clientCpu: (clientSeconds / DURATION_S) * 100,
      otherCpu: (Math.max(0, machineCpu - serverCpu - clientSeconds) / DURATION_S) * 100,
      errors,
      commits,
    };
  } finally {
    connections.forEach((c) => c.close());
  }
}

/** Median server CPU per call, in µs (serverCpu is % of a core). */
function serverCpuPerCall(rs: RunResult[]): number {
  return median(rs.map((r) => (r.serverCpu * 1e4) / r.callsPerSec));
}

/** Group commit over the measured window: the difference of two readings of the agent's counters. */
function commitWindow(from: CommitCounters | undefined, to: CommitCounters | undefined): RunResult['commits'] {
  if (!from || !to) return undefined;
  const transactions = to.transactions - from.transactions;
  const fsyncs = to.fsyncs - from.fsyncs;
  return {
    writesPerTransaction: (to.writes - from.writes) / transactions,
    transactionsPerFsync: fsyncs > 0 ? transactions / fsyncs : NaN,
    meanDurableMs: ((to.seconds - from.seconds) * 1000) / transactions,
    fsyncsPerSec: fsyncs / DURATION_S,
  };
}

async function measure(start: () => Promise<Server>): Promise<RunResult> {
  const server = await start();
  try {
    return await drive(server);
  } finally {
    await server.stop();
  }
}

// ---- formatting --------------------------------------------------------------------

const summaryLines: string[] = [];

function describeErrors(errors: Map<string, number>): string {
  if (errors.size === 0) return '0';
  return [...errors].map(([what, n]) => `${fmtInt(n)} x ${what}`).join('; ');
}

function runLine(r: RunResult): string {
  return (
    `${r.label} ${fmtInt(r.callsPerSec)} calls/s, p50 ${fmtMs(r.p50)} ms, p99 ${fmtMs(r.p99)} ms, ` +
    `CPU server ${fmtPct(r.serverCpu)} client ${fmtPct(r.clientCpu)} others ${fmtPct(r.otherCpu)}` +
    (r.commits
      ? `, ${r.commits.writesPerTransaction.toFixed(1)} writes per transaction, ` +
        (Number.isNaN(r.commits.transactionsPerFsync)
          ? 'no fsync'
          : `${r.commits.transactionsPerFsync.toFixed(2)} transactions per fsync (${fmtInt(r.commits.fsyncsPerSec)}/s)`) +
        `, ${r.commits.meanDurableMs.toFixed(2)} ms from transaction to durable (mean)`
      : '') +
    (r.errors.size ? `, errors: ${describeErrors(r.errors)}` : '')
  );
}

// ---- 1. throughput -----------------------------------------------------------------

/**
 * Compare mode (COMPARE_ENTRY and/or COMPARE_ENV): agent A (this build) against agent B,
 * both with fsync durability, ROUNDS rounds in alternating order, no echo. The ratio of two
 * runs back to back moves far less than either run does on a shared machine, so this tells
 * a change of a few percent from the noise where the echo ratio cannot.
 */
async function compare(): Promise<void> {
  const variantB = { entry: COMPARE_ENTRY, env: parseEnvList(COMPARE_ENV ?? '') };
  console.log(
    `\n## 1. Compare: agent A (this build) vs agent B (${COMPARE_ENTRY ?? 'this build'}` +
      `${COMPARE_ENV ? `, env ${COMPARE_ENV}` : ''}), fsync, ${CONCURRENCY} calls in flight over ${CHANNELS} ` +
      `connections, ${WARMUP_S} s warm-up + ${DURATION_S} s measured per run, ${ROUNDS} rounds\n`,
  );
  const [a, b] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'A', run: () => measure(() => startAgent('fsync')) },
      { name: 'B', run: () => measure(() => startAgent('fsync', variantB)) },
    ],
    {
      afterRound: (round, ran) =>
        console.log(`round ${round}: ${ran.map(({ name, result }) => `${name}: ${runLine(result)}`).join(' | ')}`),
    },
  );
  const ratios = a.map((r, i) => b[i].callsPerSec / r.callsPerSec);
  const line =
    `agent B / agent A throughput: ${median(ratios).toFixed(3)}x (median of the per-round ratios ` +
    `${ratios.map((x) => x.toFixed(3)).join(', ')}); server CPU per call A ${serverCpuPerCall(a).toFixed(1)} µs, ` +
    `B ${serverCpuPerCall(b).toFixed(1)} µs`;
  console.log(`\n${line}`);
  summaryLines.push(line);
}

async function throughput(): Promise<void> {
  const requestBytes = alerting.AgentNotification.encode({ id: 'bench-00000-1-123456', message: MESSAGE }).finish()
    .length;
  console.log(
    `\n## 1. Notify throughput: ${CONCURRENCY} calls in flight over ${CHANNELS} connections (client ${CLIENT}), ` +
      `${WARMUP_S} s warm-up + ${DURATION_S} s measured per run, ${ROUNDS} rounds\n`,
  );
  console.log(
    `Request: AgentNotification of ~${requestBytes} B (title ${Buffer.byteLength(MESSAGE.title)} B, ` +
      `body ${Buffer.byteLength(MESSAGE.body)} B, ${Object.keys(MESSAGE.properties).length} properties, severity ` +
      `${MESSAGE.properties.opni_severity}), unique id per call. Each run starts a fresh server process ` +
      `(agent: fresh data dir).\n`,
  );
  const [echo, agent] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'echo', run: () => measure(startEcho) },
      { name: 'agent', run: () => measure(() => startAgent('fsync')) },
    ],
    {
      afterRound: (round, ran) =>
        console.log(`round ${round}: ${ran.map(({ result }) => runLine(result)).join(' | ')}`),
    },
  );
  const os = await measure(() => startAgent('os'));
  console.log(`once:    ${runLine(os)}`);

  const echoMedian = median(echo.map((r) => r.callsPerSec));
  const rows: [string, RunResult[]][] = [
    ['echo (plain grpc-js)', echo],
    ['agent, --queue-durability fsync (default)', agent],
    ['agent, --queue-durability os (1 run)', [os]],
  ];
  console.log('');
  console.log(
    '| server | calls/s (median) | min..max calls/s | / echo | p50 ms | p99 ms | server CPU | server CPU µs/call ' +
      '| client CPU | others CPU | errors |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const [name, rs] of rows) {
    const cps = rs.map((r) => r.callsPerSec);
    const allErrors = new Map<string, number>();
    for (const r of rs) for (const [k, n] of r.errors) allErrors.set(k, (allErrors.get(k) ?? 0) + n);
    console.log(
      `| ${name} | ${fmtInt(median(cps))} | ${fmtInt(Math.min(...cps))}..${fmtInt(Math.max(...cps))} ` +
        `| ${(median(cps) / echoMedian).toFixed(2)}x | ${fmtMs(median(rs.map((r) => r.p50)))} ` +
        `| ${fmtMs(median(rs.map((r) => r.p99)))} | ${fmtPct(median(rs.map((r) => r.serverCpu)))} ` +
        `| ${fmtInt(serverCpuPerCall(rs))} ` +
        `| ${fmtPct(median(rs.map((r) => r.clientCpu)))} | ${fmtPct(median(rs.map((r) => r.otherCpu)))} ` +
        `| ${describeErrors(allErrors)} |`,
    );
  }
  // The verdict uses the median of the per-round ratios: each pairs two runs made back to back,
  // so drift in the machine's speed between rounds cancels out (the ratio of medians does not).
  const ratios = agent.map((r, i) => r.callsPerSec / echo[i].callsPerSec);
  const ratio = median(ratios);
  const line =
    `agent (fsync) / echo throughput: ${ratio.toFixed(2)}x (median of the per-round ratios ` +
    `${ratios.map((x) => x.toFixed(2)).join(', ')}; ratio of the medians ` +
    `${(median(agent.map((r) => r.callsPerSec)) / echoMedian).toFixed(2)}x); ` +
    `target >= ${TARGET_RATIO.toFixed(2)}x: ${verdict(ratio >= TARGET_RATIO)}`;
  console.log(`\n${line}`);
  console.log(
    `server CPU per call: echo ${fmtInt(serverCpuPerCall(echo))} µs, agent fsync ${fmtInt(serverCpuPerCall(agent))} µs, ` +
      `agent os ${fmtInt(serverCpuPerCall([os]))} µs: with a core each and a client that kept up, the agent would reach ` +
      `about ${(serverCpuPerCall(echo) / serverCpuPerCall(agent)).toFixed(2)}x echo's calls/s (fsync), ` +
      `${(serverCpuPerCall(echo) / serverCpuPerCall([os])).toFixed(2)}x (os)`,
  );
  console.log(`agent (os) / echo throughput: ${(os.callsPerSec / echoMedian).toFixed(2)}x (one run, for comparison)`);
  const busy = 90;
  const others = Math.max(...[...echo, ...agent, os].map((r) => r.otherCpu));
  if (others >= 20) {
    console.log(
      `note: other processes used up to ${fmtPct(others)} of a core during some runs (column "others CPU"; ` +
        `this machine has ${cpus().length} cores): those runs were disturbed; rerun on a quiet machine to confirm.`,
    );
  }
  const echoClient = median(echo.map((r) => r.clientCpu));
  const agentServer = median(agent.map((r) => r.serverCpu));
  if (echoClient >= busy) {
    console.log(
      `note: the client used ${fmtPct(echoClient)} of a core in the echo runs, so echo's calls/s is partly ` +
        'client-limited: its capacity is higher and the ratio above is, if anything, optimistic for the agent.',
    );
  }
  if (agentServer >= busy) {
    console.log(
      `note: the agent process used ${fmtPct(agentServer)} of a core (all threads) in the fsync runs: it is CPU-bound; ` +
        'profile it with AGENT_CPU_PROF=<dir>.',
    );
  }
  summaryLines.push(line);
}

// ---- 2. restart with a full queue --------------------------------------------------

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port (much cheaper to poll than a gRPC call). */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Calls Notify on 127.0.0.1:port until one answers OK: polls the port with plain TCP
 * connects every 10 ms (so the poller takes little CPU from the starting agent), then
 * calls Notify, a fresh connection per attempt (no reconnect backoff).
 */
async function firstOk(port: number, timeoutMs: number): Promise<{ attempts: number; lastError?: string }> {
  const deadline = Date.now() + timeoutMs;
  const address = `127.0.0.1:${port}`;
  let attempts = 0;
  let lastError: string | undefined;
  const properties = { ...MESSAGE.properties, opni_severity: 'Warning' };
  for (;;) {
    while (!(await portOpen(port))) {
      if (Date.now() > deadline) throw new Error(`nothing listened on ${address} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    attempts++;
    const client = newClient(address, {
      'grpc.initial_reconnect_backoff_ms': 20,
      'grpc.max_reconnect_backoff_ms': 50,
    });
    try {
      await client.notify(
        { id: `restart-probe-${randomUUID()}`, message: { ...MESSAGE, properties } },
        { deadline: Date.now() + 2_000 },
      );
      return { attempts, lastError };
    } catch (error) {
      const e = error as grpc.ServiceError;
      lastError = `${e.code} ${e.details}`;
    } finally {
      client.close();
    }
    if (Date.now() > deadline) throw new Error(`no OK from Notify within ${timeoutMs} ms; last error: ${lastError}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function restart(): Promise<void> {
  console.log(`\n## 2. Restart with ${fmtInt(QUEUED)} queued notifications\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-ingest-restart-'));
  onExit(() => rmSync(dataDir, { recursive: true, force: true }));

  const filled = await prefillQueue(dataDir, QUEUED, agentEnv());
  console.log(
    `prefill (./prefill.ts): ${fmtInt(QUEUED)} rows (Info ${fmtInt(filled.bySeverity[0])}, Warning ${fmtInt(filled.bySeverity[1])}, ` +
      `Error ${fmtInt(filled.bySeverity[2])}, Critical ${fmtInt(filled.bySeverity[3])}; ` +
      `${fmtInt(filled.withDedupeKey)} with a dedupe key), payloads ${(filled.payloadBytes / 2 ** 20).toFixed(0)} MB ` +
      `(${Math.round(filled.payloadBytes / QUEUED)} B each), queue.db ${(filled.fileBytes / 2 ** 20).toFixed(0)} MB, ` +
      `written in ${(filled.ms / 1000).toFixed(1)} s`,
  );

  const port = await freePort();
  const machineAtSpawn = machineBusySeconds();
  const benchCpuAtSpawn = process.cpuUsage();
  const t0 = performance.now();
  const spawnedAt = Date.now();
  let listeningMs: number | undefined;
  const starting = spawnApp('agent', {
    dataDir,
    args: ['--grpc-port', String(port)],
    env: agentEnv(),
    readyTimeoutMs: 180_000,
  }).then((app) => {
    listeningMs = performance.now() - t0;
    onExit(() => app.stop('SIGTERM', 10_000));
    return app;
  });
  starting.catch(() => undefined); // reported through the await below
  let probe: Awaited<ReturnType<typeof firstOk>>;
  try {
    probe = await firstOk(port, 180_000);
  } catch (error) {
    await starting.catch(() => undefined); // so that a started agent is registered for cleanup
    throw error;
  }
  const firstOkMs = performance.now() - t0;
  const app: SpawnedApp = await starting;
  const mem = memoryMb(app.process.pid!);
  const agentCpu = processCpuSeconds(app.process.pid!);
  const benchCpu = process.cpuUsage(benchCpuAtSpawn);
  const othersCpu = Math.max(
    0,
    machineBusySeconds() - machineAtSpawn - agentCpu - (benchCpu.user + benchCpu.system) / 1e6,
  );

  const recovered = app.logs.find((l) => l.event === 'queue-recovered');
  const listening = app.logs.find((l) => l.event === 'listening');
  // pino's "time": epoch ms, or an ISO string with our logger options.
  const logTime = (l: typeof listening) => {
    const at = typeof l?.time === 'number' ? l.time : Date.parse(String(l?.time));
    return Number.isFinite(at) ? `${fmtInt(at - spawnedAt)} ms` : '?';
  };
  const rssPass = mem.rss <= TARGET_RSS_MB;
  const okPass = firstOkMs <= TARGET_FIRST_OK_MS;

  console.log('');
  console.log('| measure | value | target | |');
  console.log('|---|---:|---:|:---:|');
  console.log(
    `| spawn -> first Notify OK (${probe.attempts} Notify attempt${probe.attempts === 1 ? '' : 's'}) | ${fmtInt(firstOkMs)} ms | <= ${fmtInt(TARGET_FIRST_OK_MS)} ms | ${verdict(okPass)} |`,
  );
  console.log(
    `| VmRSS of the agent right after | ${mem.rss.toFixed(0)} MB | <= ${TARGET_RSS_MB} MB | ${verdict(rssPass)} |`,
  );
  console.log(
    `| VmHWM (peak RSS) of the agent so far | ${mem.hwm.toFixed(0)} MB | (<= ${TARGET_RSS_MB} MB) | ${mem.hwm <= TARGET_RSS_MB ? 'ok' : 'over'} |`,
  );
  console.log(`| spawn -> "queue-recovered" logged (by the agent's clock) | ${logTime(recovered)} | | |`);
  console.log(
    `| queue recovery inside the agent (its tookMs) | ${recovered ? `${fmtInt(Number(recovered.tookMs))} ms` : '?'} | | |`,
  );
  console.log(`| spawn -> "listening" logged (by the agent's clock) | ${logTime(listening)} | | |`);
  console.log(
    `| spawn -> "listening" seen here | ${listeningMs === undefined ? '?' : `${fmtInt(listeningMs)} ms`} | | |`,
  );
  console.log(
    `| CPU until then: the agent (all threads) / other processes | ${fmtInt(agentCpu * 1000)} ms / ${fmtInt(othersCpu * 1000)} ms | | |`,
  );
  console.log(`| queue count recovered | ${recovered ? fmtInt(Number(recovered.count)) : '?'} | ${fmtInt(QUEUED)} | |`);

  summaryLines.push(
    `restart with ${fmtInt(QUEUED)} queued: first Notify OK after ${fmtInt(firstOkMs)} ms, target <= ${fmtInt(TARGET_FIRST_OK_MS)} ms: ${verdict(okPass)}`,
    `restart with ${fmtInt(QUEUED)} queued: RSS ${mem.rss.toFixed(0)} MB (peak ${mem.hwm.toFixed(0)} MB), target <= ${TARGET_RSS_MB} MB: ${verdict(rssPass)}` +
      (rssPass && mem.hwm > TARGET_RSS_MB ? ` (but the peak is over ${TARGET_RSS_MB} MB)` : ''),
  );
}

// ---- main --------------------------------------------------------------------------

async function main(): Promise<void> {
  const entry = builtEntry('agent');
  if (!existsSync(entry)) {
    console.log(`waiting up to 2 min for ${entry} (run \`npm run build\`)`);
    await waitFor(() => existsSync(entry), { timeoutMs: 120_000, intervalMs: 1_000, description: entry });
  }
  console.log(
    `# agent-ingest benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `knobs: CONCURRENCY=${CONCURRENCY} CHANNELS=${CHANNELS} DURATION=${DURATION_S} WARMUP=${WARMUP_S} ` +
      `ROUNDS=${ROUNDS} CLIENT=${CLIENT} QUEUED=${QUEUED}${ONLY ? ` ONLY=${ONLY}` : ''}${AGENT_NODE_OPTIONS ? ` AGENT_NODE_OPTIONS="${AGENT_NODE_OPTIONS}"` : ''}${AGENT_CPU_PROF ? ` AGENT_CPU_PROF=${AGENT_CPU_PROF}` : ''}` +
      `${COMPARE_ENTRY ? ` COMPARE_ENTRY=${COMPARE_ENTRY}` : ''}${COMPARE_ENV ? ` COMPARE_ENV="${COMPARE_ENV}"` : ''}; ` +
      `data dirs under ${tmpdir()} (${fsType(tmpdir())}); agent ${entry.slice(repoRoot.length + 1)}`,
  );
  if (ONLY !== 'restart') await (COMPARING ? compare() : throughput());
  if (ONLY !== 'throughput') await restart();
  console.log('\n## Summary\n');
  for (const line of summaryLines) console.log(`- ${line}`);
}

await runBenchmark(main);

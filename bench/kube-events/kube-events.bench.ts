/**
 * Benchmark: how many Kubernetes events per second the agent's event source
 * keeps up with, and how long an event takes from its creation in the API
 * server to the gateway's live SSE feed at a steady 200 events/s. The
 * acceptance benchmark of issue 23.
 *
 *   npm run bench:kube-events
 *   # = node --expose-gc --import tsx bench/kube-events/kube-events.bench.ts
 *
 * Needs the built apps (`npm run build`). Knobs: RATES=1000,2500,5000,10000,20000,40000
 * STEP_SECONDS=4 LIVE_RATE=200 LIVE_SECONDS=10 LIVE_WARMUP=1 ONLY=ramp|live.
 *
 * The API server is libs/testing's FakeKubeApi in this process (HTTPS, the
 * events.k8s.io/v1 watch wire format); events are created open-loop (event i
 * is due at start + i/rate, a timer every ~2 ms creates what is due), each on
 * its own pod (a distinct dedupe key: every event becomes its own queued
 * notification, none coalesces).
 *
 * 1. Ramp. The built agent (default fsync durability, its own process) with
 *    AGENT_KUBE_EVENTS=true and a kubeconfig for the fake server, no gateway
 *    (it queues; pushing is the drain benchmark's subject). For each rate, STEP_SECONDS
 *    of events; then: processed = agent_kube_events_queued_total (counted once the
 *    transaction holding the notification and the cursor has committed and been
 *    fsynced), lag at the end of the step = created − processed, and the time to catch
 *    up. The agent keeps up at a rate when its lag at the end of the step is at most
 *    half a second of events (it does not grow with the step) and it catches up
 *    within 2 s. Baseline in the same run: ./bare-watch.ts, a process that only
 *    reads the same watch and JSON.parses each line, at the same rates: the ceiling
 *    of what the fake server and TLS deliver here. Target: >= 5,000 events/s.
 *
 * 2. Live latency. A gateway, the agent joined to it with alerting installed, an SSE
 *    subscriber here on the gateway's feed; LIVE_RATE events/s for LIVE_WARMUP +
 *    LIVE_SECONDS s. Latency = arrival of the SSE event carrying the event's id here
 *    minus the moment the event was created here (one clock). Baselines in the same
 *    run: a bare watch reader in this process (creation to the line read: what the
 *    fake server and TLS cost), and, after the events, the same agent and gateway
 *    offered Notify calls at LIVE_RATE/s for as long (issue of the call to its SSE
 *    event: the path every notification takes, without the event source).
 *    Target: p99 <= 100 ms.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUnaryClient } from '@app/runtime';
import {
  FakeKubeApi,
  installAlerting,
  joinArgs,
  openGatewayFeed,
  repoRoot,
  scrapeMetrics,
  spawnApp,
  waitFor,
  type SpawnedApp,
} from '@app/testing';
import { fmtInt, fmtMs, MESSAGE, onExit, processCpuSeconds, runBenchmark, verdict } from '../common/bench-kit.js';

const RATES = (process.env.RATES ?? '1000,2500,5000,10000,20000,40000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.STEP_SECONDS ?? 4);
const LIVE_RATE = Number(process.env.LIVE_RATE ?? 200);
const LIVE_SECONDS = Number(process.env.LIVE_SECONDS ?? 10);
const LIVE_WARMUP = Number(process.env.LIVE_WARMUP ?? 1);
const ONLY = process.env.ONLY;
const TARGET_RATE = 5_000;
const TARGET_P99_MS = 100;

/** Creates `rate` events/s for `seconds` s open-loop; calls `created(uid, at)` for each. */
async function emit(
  api: FakeKubeApi,
  rate: number,
  seconds: number,
  created?: (uid: string, at: number) => void,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let sent = 0;
  let pod = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      while (sent < due) {
        const event = api.createEvent({
          namespace: `team-${sent % 20}`,
          reason: 'BackOff',
          type: 'Warning',
          note: `Back-off restarting failed container app in pod app-${pod}_team-${sent % 20}`,
          regarding: { kind: 'Pod', name: `app-${pod++}`, namespace: `team-${sent % 20}` },
        });
        created?.(event.metadata.uid, performance.now());
        sent++;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  return sent;
}

const queuedTotal = async (agent: SpawnedApp) =>
  (await scrapeMetrics(agent.httpAddress)).samples
    .filter((s) => s.name === 'agent_kube_events_queued_total')
    .reduce((n, s) => n + s.value, 0);

interface StepResult {
  rate: number;
  created: number;
  processedInStep: number;
  lagAtEnd: number;
  catchUpMs: number;
  keepsUp: boolean;
  cpuSeconds?: number;
}

/** Runs the ramp against one consumer; `processed()` reads how many events it has handled. */
async function ramp(
  name: string,
  api: FakeKubeApi,
  processed: () => Promise<number>,
  pid: number,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let base = await processed();
  for (const rate of RATES) {
    const cpuBefore = processCpuSeconds(pid);
    const created = await emit(api, rate, STEP_SECONDS);
    const atEnd = (await processed()) - base;
    const lagAtEnd = created - atEnd;
    const started = performance.now();
    await waitFor(async () => (await processed()) - base >= created, {
      timeoutMs: 120_000,
      intervalMs: 20,
      description: `${name} to catch up at ${rate}/s`,
    });
    const catchUpMs = performance.now() - started;
    const result: StepResult = {
      rate,
      created,
      processedInStep: atEnd,
      lagAtEnd,
      catchUpMs,
      keepsUp: lagAtEnd <= rate / 2 && catchUpMs <= 2_000,
      cpuSeconds: processCpuSeconds(pid) - cpuBefore,
    };
    results.push(result);
    console.log(
      `  ${name.padEnd(10)} ${fmtInt(rate).padStart(6)}/s: created ${fmtInt(created)}, handled during the step ${fmtInt(atEnd)}, ` +
        `lag at its end ${fmtInt(lagAtEnd)}, caught up ${fmtMs(catchUpMs)} ms later, CPU ${result.cpuSeconds!.toFixed(2)} s ` +
        `→ ${result.keepsUp ? 'keeps up' : 'falls behind'}`,
    );
    base += created;
    api.expire(); // drop the watch history (a relist would not be measured: the consumers keep their watch)
    if (!result.keepsUp) break;
  }
  return results;
}

const highest = (results: StepResult[]) => Math.max(0, ...results.filter((r) => r.keepsUp).map((r) => r.rate));

async function rampPhase(dir: string): Promise<{ agent: number; bare: number }> {
  console.log(`\n1. Ramp: rates ${RATES.join(', ')} events/s, ${STEP_SECONDS} s each`);
  const api = await FakeKubeApi.start({ bookmarkIntervalMs: 1000 });
  onExit(() => api.close());
  const kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'));
  const agent = await spawnApp('agent', { args: ['--kube-events', 'true', '--kubeconfig', kubeconfig] });
  onExit(() => agent.stop());
  await waitFor(() => api.openWatches === 1, { timeoutMs: 30_000, description: 'the agent watching' });
  const agentResults = await ramp('agent', api, () => queuedTotal(agent), agent.process.pid!);
  await agent.stop();

  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, api.caPem);
  const bare = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'bench/kube-events/bare-watch.ts'),
      api.url,
      api.token,
      caFile,
      api.resourceVersion,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: repoRoot },
  );
  onExit(() => bare.kill('SIGKILL'));
  let bareCount = 0;
  bare.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const last = chunk.trim().split('\n').pop();
    if (last) bareCount = Number(last);
  });
  await waitFor(() => api.openWatches === 1, { timeoutMs: 30_000, description: 'the bare reader watching' });
  const bareResults = await ramp('bare watch', api, async () => bareCount, bare.pid!);
  bare.kill('SIGKILL');
  await api.close();
  return { agent: highest(agentResults), bare: highest(bareResults) };
}

/** Percentile of sorted values. */
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function livePhase(): Promise<{ p99: number; bareP99: number; notifyP99: number }> {
  console.log(`\n2. Live: ${LIVE_RATE} events/s for ${LIVE_WARMUP} + ${LIVE_SECONDS} s, creation → gateway SSE event`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-kube-live-'));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const api = await FakeKubeApi.start({ bookmarkIntervalMs: 1000 });
  onExit(() => api.close());
  const gateway = await spawnApp('gateway');
  onExit(() => gateway.stop());
  const agent = await spawnApp('agent', {
    args: [
      ...(await joinArgs(gateway, 'bench')),
      ...['--kube-events', 'true', '--kubeconfig', api.writeKubeconfig(join(dir, 'kubeconfig'))],
    ],
  });
  onExit(() => agent.stop());
  await installAlerting(gateway.httpAddress, 'bench');
  await waitFor(() => api.openWatches === 1, { timeoutMs: 30_000, description: 'the agent watching' });
  const feed = await openGatewayFeed(gateway.httpAddress, { cluster: 'bench' });
  onExit(() => feed.close());

  // The baseline: a bare watch in this process, creation → line read.
  const bareArrivals = new Map<string, number>();
  const bareReq = request(
    `${api.url}/apis/events.k8s.io/v1/events?watch=true&resourceVersion=${api.resourceVersion}`,
    { ca: api.caPem, headers: { authorization: `Bearer ${api.token}` } },
    (res) => {
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        const at = performance.now();
        for (const line of lines) {
          const event = JSON.parse(line) as { type: string; object: { metadata: { uid: string } } };
          if (event.type !== 'BOOKMARK') bareArrivals.set(event.object.metadata.uid, at);
        }
      });
    },
  );
  bareReq.end();
  onExit(() => bareReq.destroy());
  await waitFor(() => api.openWatches === 2, { timeoutMs: 30_000, description: 'the bare reader watching' });

  const createdAt = new Map<string, number>();
  const measured = new Set<string>();
  const warmupEvents = Math.round(LIVE_RATE * LIVE_WARMUP);
  let n = 0;
  const cpuAgent = processCpuSeconds(agent.process.pid!);
  const cpuGateway = processCpuSeconds(gateway.process.pid!);
  await emit(api, LIVE_RATE, LIVE_WARMUP + LIVE_SECONDS, (uid, at) => {
    createdAt.set(uid, at);
    if (n++ >= warmupEvents) measured.add(uid);
  });
  const arrival = () => new Map(feed.received.map(({ notification, at }) => [notification.id.split('/')[1], at]));
  await waitFor(() => [...measured].every((uid) => arrival().has(uid)), {
    timeoutMs: 60_000,
    description: 'every measured event at the gateway feed',
  });
  const arrived = arrival();
  const latencies = [...measured].map((uid) => arrived.get(uid)! - createdAt.get(uid)!).sort((a, b) => a - b);
  const bare = [...measured]
    .filter((uid) => bareArrivals.has(uid))
    .map((uid) => bareArrivals.get(uid)! - createdAt.get(uid)!)
    .sort((a, b) => a - b);
  const line = (name: string, xs: number[]) =>
    console.log(
      `  ${name.padEnd(26)} n=${xs.length} p50 ${fmtMs(pct(xs, 50))} ms, p90 ${fmtMs(pct(xs, 90))} ms, ` +
        `p99 ${fmtMs(pct(xs, 99))} ms, max ${fmtMs(xs[xs.length - 1])} ms`,
    );
  // Baseline: Notify at the same rate, same agent and gateway.
  const client = createUnaryClient('alerting.NotificationService', agent.grpcAddress);
  onExit(() => client.close());
  const issuedAt = new Map<string, number>();
  const total = Math.round(LIVE_RATE * (LIVE_WARMUP + LIVE_SECONDS));
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * LIVE_RATE) / 1000));
      while (sent < due) {
        const id = `bench-notify-${sent++}`;
        issuedAt.set(id, performance.now());
        void client.notify({ id, message: MESSAGE });
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  const notifyMeasured = [...issuedAt.keys()].slice(warmupEvents);
  const byId = () => new Map(feed.received.map(({ notification, at }) => [notification.id, at]));
  await waitFor(() => notifyMeasured.every((id) => byId().has(id)), {
    timeoutMs: 60_000,
    description: 'every measured Notify at the gateway feed',
  });
  const notifyArrived = byId();
  const notifyLatencies = notifyMeasured.map((id) => notifyArrived.get(id)! - issuedAt.get(id)!).sort((a, b) => a - b);
  line('creation → gateway SSE', latencies);
  line('creation → bare watch line', bare);
  line('Notify → gateway SSE', notifyLatencies);
  console.log(
    `  CPU during the run: agent ${(processCpuSeconds(agent.process.pid!) - cpuAgent).toFixed(2)} s, ` +
      `gateway ${(processCpuSeconds(gateway.process.pid!) - cpuGateway).toFixed(2)} s; ` +
      `${measured.size} of ${measured.size} measured events arrived`,
  );
  return { p99: pct(latencies, 99), bareP99: pct(bare, 99), notifyP99: pct(notifyLatencies, 99) };
}

await runBenchmark(async () => {
  console.log(`bench:kube-events on node ${process.version}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-kube-'));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const summary: string[] = [];
  if (ONLY !== 'live') {
    const { agent, bare } = await rampPhase(dir);
    summary.push(
      `highest rate the agent keeps up with: ${fmtInt(agent)} events/s (bare watch: ${fmtInt(bare)}/s, ratio ${(agent / bare).toFixed(2)}x; ` +
        `steps up to ${fmtInt(Math.max(...RATES))}/s) — target >= ${fmtInt(TARGET_RATE)}/s: ${verdict(agent >= TARGET_RATE)}`,
    );
  }
  if (ONLY !== 'ramp') {
    const { p99, bareP99, notifyP99 } = await livePhase();
    summary.push(
      `p99 creation → gateway SSE at ${LIVE_RATE}/s: ${fmtMs(p99)} ms (Notify → SSE p99 ${fmtMs(notifyP99)} ms, ratio ${(p99 / notifyP99).toFixed(2)}x; ` +
        `bare watch p99 ${fmtMs(bareP99)} ms) — target <= ${TARGET_P99_MS} ms: ${verdict(p99 <= TARGET_P99_MS)}`,
    );
  }
  console.log(`\nSummary:\n  ${summary.join('\n  ')}`);
});

/**
 * Benchmark: how fast the gateway delivers stored notifications to a real
 * Prometheus Alertmanager (an Alertmanager target), against a plain client that
 * posts the same alerts in the same batch size straight to Alertmanager in the
 * same run. The acceptance benchmark of issue 24 (target: ≥ 0.8× the plain client).
 *
 *   npm run bench:alertmanager
 *   # = node --expose-gc --import tsx bench/alertmanager/alertmanager.bench.ts
 *
 * Needs the built gateway (`npm run build`) and /usr/bin/prometheus-alertmanager
 * (Debian's package, 0.25). Environment knobs: STORED=100000 ROUNDS=3 BATCH=64
 * IN_FLIGHT=1 (POSTs awaiting their answer at once, for both contenders: the
 * target's maxInFlight and the plain client's concurrency), GATEWAY_CPU_PROF=<dir>
 * (profile each gateway process; see bench/agent-ingest/cpu-profile.mjs).
 * Compare mode, COMPARE_ENTRY=<another build's dist/apps/gateway/apps/gateway/src/main.js>
 * and/or COMPARE_ENV="K=V,...": gateway A (this build) against gateway B instead
 * of the plain client, and the median B/A ratio: tells a change of a few percent
 * from the noise of a shared machine.
 *
 * A template gateway data directory is filled once with STORED notifications
 * (the bench-kit message, severities Info 50% / Warning 30% / Error 15% /
 * Critical 5% interleaved, ids distinct), written through the gateway's own
 * SqliteNotificationStore. Each round then runs, in alternating order, each
 * against a fresh Alertmanager (clustering off, one route grouping by
 * alertname and cluster to an unreachable webhook, so it does route every alert):
 *   (a) gateway: the built gateway on a fresh copy of the template, with one
 *       Alertmanager target (`from: beginning`, batchSize BATCH, maxInFlight
 *       IN_FLIGHT, maxAlertsPerSecond 0: no catch-up bound, the other fields
 *       their defaults). Delivery starts while the gateway is still starting up;
 *       the clock starts once it is ready (its "listening" line), at the count
 *       of gateway_alertmanager_notifications_sent_total read then, and stops
 *       at the first poll (every 100 ms) of /metrics that reads STORED: the
 *       rate is what was sent in between over that time.
 *   (b) plain: this process reads the same rows and maps them to the same
 *       alerts before its clock starts, then POSTs them BATCH at a time,
 *       IN_FLIGHT requests in flight, JSON.stringify per batch, over kept-alive
 *       connections; clock over the POSTs.
 * Afterwards Alertmanager's GET /api/v2/alerts must count STORED alerts.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alerting } from '@app/proto';
import { AlertmanagerProcess, scrapeMetrics, spawnApp, waitFor, webhookRouteConfig } from '@app/testing';
import { SqliteNotificationStore } from '../../apps/gateway/src/storage/sqlite/sqlite-notification-store.js';
import {
  postableAlertOf,
  type PostableAlert,
} from '../../apps/gateway/src/receivers/alertmanager/alertmanager-alert.js';
import {
  alternatingRounds,
  fmtInt,
  median,
  MESSAGE,
  onExit,
  processCpuSeconds,
  runBenchmark,
  verdict,
} from '../common/bench-kit.js';

const STORED = Number(process.env.STORED ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BATCH = Number(process.env.BATCH ?? 64);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 1);
const COMPARE_ENTRY = process.env.COMPARE_ENTRY;
const COMPARE_ENV = process.env.COMPARE_ENV;
const COMPARING = COMPARE_ENTRY !== undefined || COMPARE_ENV !== undefined;
const LIFETIME_MS = 3_600_000;
const SEVERITIES = [
  ...Array<alerting.OpniSeverity>(10).fill(alerting.OpniSeverity.Info),
  ...Array<alerting.OpniSeverity>(6).fill(alerting.OpniSeverity.Warning),
  ...Array<alerting.OpniSeverity>(3).fill(alerting.OpniSeverity.Error),
  alerting.OpniSeverity.Critical,
];

/** "K=V,K2=V2" as environment variables; a value may contain "=". */
function parseEnvList(list: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const pair of list.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`COMPARE_ENV: "${pair}" is not K=V`);
    env[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return env;
}

/** The profiler preload for GATEWAY_CPU_PROF=<dir> (see bench/agent-ingest/cpu-profile.mjs). */
function gatewayEnv(): NodeJS.ProcessEnv {
  const dir = process.env.GATEWAY_CPU_PROF;
  if (!dir) return {};
  return { NODE_OPTIONS: `--import ${resolve('bench/agent-ingest/cpu-profile.mjs')}`, CPU_PROF_DIR: resolve(dir) };
}

interface Result {
  seconds: number;
  perSecond: number;
  /** CPU µs per notification over the measured time: the sender's process, and Alertmanager's. */
  senderCpuUs: number;
  alertmanagerCpuUs: number;
}

async function prefill(dir: string): Promise<void> {
  const store = new SqliteNotificationStore(join(dir, 'notifications.db'));
  const receivedAt = new Date();
  for (let from = 0; from < STORED; from += 1_000) {
    const writes = [];
    for (let n = from; n < Math.min(STORED, from + 1_000); n++) {
      writes.push(
        store.store({
          clusterId: 'bench',
          id: `bench-${n}`,
          notification: { ...MESSAGE, properties: { ...MESSAGE.properties, opni_uuid: `bench-${n}` } },
          severity: SEVERITIES[n % SEVERITIES.length],
          goldenSignal: alerting.GoldenSignal.Errors,
          receivedAt,
        }),
      );
    }
    await Promise.all(writes);
  }
  await store.close();
}

async function freshAlertmanager(): Promise<AlertmanagerProcess> {
  // Grouped by alertname and cluster as an SRE would (the tests' ungrouped route makes one group per alert).
  const alertmanager = await AlertmanagerProcess.start(
    webhookRouteConfig('http://127.0.0.1:1/unused', { group_by: ['alertname', 'cluster'], group_wait: '1s' }),
  );
  onExit(() => alertmanager.close());
  return alertmanager;
}

async function countAt(alertmanager: AlertmanagerProcess): Promise<number> {
  return (await alertmanager.alerts()).length;
}

async function runGateway(
  template: string,
  variant: { entry?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Result> {
  const alertmanager = await freshAlertmanager();
  const dir = mkdtempSync(join(tmpdir(), 'bench-am-gateway-'));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(template, join(dir, 'data'), { recursive: true });
  const file = join(dir, 'receivers.json');
  writeFileSync(
    file,
    JSON.stringify({
      alertmanagers: [
        {
          name: 'bench',
          urls: [alertmanager.url],
          from: 'beginning',
          batchSize: BATCH,
          maxAlertsPerSecond: 0,
          ...(IN_FLIGHT === 1 ? {} : { maxInFlight: IN_FLIGHT }),
          lifetimeMs: LIFETIME_MS,
        },
      ],
    }),
  );
  const gateway = await spawnApp('gateway', {
    dataDir: join(dir, 'data'),
    args: ['--receivers-file', file],
    env: { LOG_LEVEL: 'info', ...gatewayEnv(), ...variant.env },
    entry: variant.entry,
    readyTimeoutMs: 60_000,
  });
  onExit(() => gateway.stop('SIGKILL'));
  const sent = async () =>
    (await scrapeMetrics(gateway.httpAddress)).value('gateway_alertmanager_notifications_sent_total', {
      target: 'bench',
    }) ?? 0;
  // Start-up competes with the first batches for the CPU; the clock runs from readiness on.
  const startedAt = Date.now();
  const cpuBefore = [processCpuSeconds(gateway.process.pid!), processCpuSeconds(alertmanager.pid!)];
  const sentBefore = await sent();
  if (sentBefore >= STORED) throw new Error(`all ${STORED} sent before the gateway was ready: raise STORED`);
  await waitFor(async () => (await sent()) >= STORED, {
    timeoutMs: 600_000,
    intervalMs: 100,
    description: `${STORED} notifications sent`,
  });
  const seconds = (Date.now() - startedAt) / 1000;
  const cpu = [processCpuSeconds(gateway.process.pid!), processCpuSeconds(alertmanager.pid!)];
  await gateway.stop();
  const count = await countAt(alertmanager);
  if (count !== STORED) throw new Error(`Alertmanager holds ${count} alerts, not ${STORED}`);
  await alertmanager.close();
  const perAlertUs = (i: number) => ((cpu[i] - cpuBefore[i]) * 1e6) / (STORED - sentBefore);
  return {
    seconds,
    perSecond: (STORED - sentBefore) / seconds,
    senderCpuUs: perAlertUs(0),
    alertmanagerCpuUs: perAlertUs(1),
  };
}

async function readAlerts(template: string): Promise<PostableAlert[]> {
  const store = new SqliteNotificationStore(join(template, 'notifications.db'));
  const alerts: PostableAlert[] = [];
  let cursor = 0n;
  for (;;) {
    const page = await store.readAfter(cursor, 1_000);
    if (page.length === 0) break;
    for (const stored of page) alerts.push(postableAlertOf(stored, { externalURL: '', lifetimeMs: LIFETIME_MS }));
    cursor = page[page.length - 1].seq;
  }
  await store.close();
  return alerts;
}

function post(agent: Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v2/alerts`, {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.end(body);
  });
}

async function runPlain(template: string): Promise<Result> {
  const alertmanager = await freshAlertmanager();
  const alerts = await readAlerts(template);
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  let next = 0;
  // IN_FLIGHT workers, each posting the next batch in store order as soon as its previous one is answered.
  const worker = async () => {
    for (let offset = next; offset < alerts.length; offset = next) {
      next += BATCH;
      const status = await post(agent, alertmanager.url, JSON.stringify(alerts.slice(offset, offset + BATCH)));
      if (status !== 200) throw new Error(`plain client: HTTP ${status}`);
    }
  };
  const started = performance.now();
  const cpuBefore = [process.cpuUsage(), processCpuSeconds(alertmanager.pid!)] as const;
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  const ownCpu = process.cpuUsage(cpuBefore[0]);
  const alertmanagerCpu = processCpuSeconds(alertmanager.pid!) - cpuBefore[1];
  agent.destroy();
  const count = await countAt(alertmanager);
  if (count !== STORED) throw new Error(`Alertmanager holds ${count} alerts, not ${STORED}`);
  await alertmanager.close();
  return {
    seconds,
    perSecond: STORED / seconds,
    senderCpuUs: (ownCpu.user + ownCpu.system) / STORED,
    alertmanagerCpuUs: (alertmanagerCpu * 1e6) / STORED,
  };
}

const perSecondLine = (ran: readonly { name: string; result: Result }[]) =>
  ran
    .map(
      ({ name, result: r }) =>
        `${name} ${fmtInt(r.perSecond)}/s (${r.seconds.toFixed(2)} s; CPU µs/alert: ${name} ${r.senderCpuUs.toFixed(0)}, ` +
        `Alertmanager ${r.alertmanagerCpuUs.toFixed(0)})`,
    )
    .join(', ');

/** Compare mode: gateway A (this build) against gateway B, alternating; the median B/A ratio. */
async function compare(template: string): Promise<void> {
  const variantB = { entry: COMPARE_ENTRY, env: parseEnvList(COMPARE_ENV ?? '') };
  console.log(
    `compare: gateway A (this build) vs gateway B (${COMPARE_ENTRY ?? 'this build'}${COMPARE_ENV ? `, env ${COMPARE_ENV}` : ''})\n`,
  );
  const [a, b] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'A', run: () => runGateway(template) },
      { name: 'B', run: () => runGateway(template, variantB) },
    ],
    { afterRound: (round, ran) => console.log(`round ${round}: ${perSecondLine(ran)}`) },
  );
  const ratios = a.map((r, i) => b[i].perSecond / r.perSecond);
  console.log(
    `\nmedian: A ${fmtInt(median(a.map((r) => r.perSecond)))}/s, B ${fmtInt(median(b.map((r) => r.perSecond)))}/s; ` +
      `B/A ${median(ratios).toFixed(3)}× (per round: ${ratios.map((r) => r.toFixed(3)).join(', ')})`,
  );
}

await runBenchmark(async () => {
  if (!AlertmanagerProcess.available()) throw new Error('prometheus-alertmanager is not installed (see .ci/run)');
  const template = mkdtempSync(join(tmpdir(), 'bench-am-template-'));
  onExit(() => rmSync(template, { recursive: true, force: true }));
  console.log(`prefilling ${fmtInt(STORED)} stored notifications…`);
  await prefill(template);
  console.log(
    `${ROUNDS} rounds, batches of ${BATCH}, ${IN_FLIGHT} POST${IN_FLIGHT === 1 ? '' : 's'} in flight ` +
      `(gateway and plain client alike), one real Alertmanager (fresh) per run\n`,
  );
  if (COMPARING) return compare(template);

  const [gateway, plain] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'gateway', run: () => runGateway(template) },
      { name: 'plain', run: () => runPlain(template) },
    ],
    { afterRound: (round, ran) => console.log(`round ${round}: ${perSecondLine(ran)}`) },
  );
  // Both contenders share the machine's cores with Alertmanager (and whatever else runs): say how busy it was.
  console.log(
    `\nload average (1, 5, 15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}`,
  );
  const ratios = gateway.map((g, i) => g.perSecond / plain[i].perSecond);
  const ratio = median(ratios);
  console.log(
    `\nmedian: gateway ${fmtInt(median(gateway.map((r) => r.perSecond)))} notifications/s, ` +
      `plain client ${fmtInt(median(plain.map((r) => r.perSecond)))} alerts/s; ` +
      `ratio ${ratio.toFixed(2)}× (per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}) ` +
      `target ≥ 0.80×: ${verdict(ratio >= 0.8)}`,
  );
});

/**
 * Benchmark: how fast the gateway delivers stored notifications to a real
 * Prometheus Alertmanager (an Alertmanager target), against a plain client that
 * posts the same alerts in the same batch size straight to Alertmanager. The
 * acceptance benchmark of issue 24 (target: ≥ 0.8× the plain client).
 *
 *   npm run bench:alertmanager
 *   # = node --expose-gc --import tsx bench/alertmanager/alertmanager.bench.ts
 *
 * Needs the built gateway (`npm run build`) and /usr/bin/prometheus-alertmanager
 * (Debian's package, 0.25). Environment knobs: STORED=100000 ROUNDS=2 BATCH=64.
 *
 * A template gateway data directory is filled once with STORED notifications
 * (the bench-kit message, severities Info 50% / Warning 30% / Error 15% /
 * Critical 5% interleaved, ids distinct), written through the gateway's own
 * SqliteNotificationStore. Each round then runs, in alternating order, each
 * against a fresh Alertmanager (clustering off, one route grouping by
 * alertname and cluster to an unreachable webhook, so it does route every alert):
 *   (a) gateway: the built gateway on a fresh copy of the template, with one
 *       Alertmanager target (`from: beginning`, batchSize BATCH,
 *       maxAlertsPerSecond 0: no catch-up bound, readAheadBatches 10). Clock from
 *       the target's `receiver-started` log line (its own timestamp) to the first
 *       poll (every 100 ms) of /metrics whose
 *       gateway_alertmanager_notifications_sent_total reads STORED.
 *   (b) plain: this process reads the same rows and maps them to the same
 *       alerts before its clock starts, then POSTs them BATCH at a time, one
 *       request in flight (as the gateway), JSON.stringify per batch, over one
 *       kept-alive connection; clock over the POSTs.
 * Afterwards Alertmanager's GET /api/v2/alerts must count STORED alerts.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alerting } from '@app/proto';
import { AlertmanagerProcess, scrapeMetrics, spawnApp, waitFor, webhookRouteConfig } from '@app/testing';
import { SqliteNotificationStore } from '../../apps/gateway/src/notifications/sqlite-notification-store.js';
import {
  postableAlertOf,
  type PostableAlert,
} from '../../apps/gateway/src/receivers/alertmanager/alertmanager-alert.js';
import { alternatingRounds, fmtInt, median, MESSAGE, onExit, runBenchmark, verdict } from '../common/bench-kit.js';

const STORED = Number(process.env.STORED ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const BATCH = Number(process.env.BATCH ?? 64);
const LIFETIME_MS = 3_600_000;
const SEVERITIES = [
  ...Array<alerting.OpniSeverity>(10).fill(alerting.OpniSeverity.Info),
  ...Array<alerting.OpniSeverity>(6).fill(alerting.OpniSeverity.Warning),
  ...Array<alerting.OpniSeverity>(3).fill(alerting.OpniSeverity.Error),
  alerting.OpniSeverity.Critical,
];

interface Result {
  seconds: number;
  perSecond: number;
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

async function runGateway(template: string): Promise<Result> {
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
          lifetimeMs: LIFETIME_MS,
        },
      ],
    }),
  );
  const gateway = await spawnApp('gateway', {
    dataDir: join(dir, 'data'),
    args: ['--receivers-file', file],
    env: { LOG_LEVEL: 'info' },
    readyTimeoutMs: 60_000,
  });
  onExit(() => gateway.stop('SIGKILL'));
  const started = await waitFor(() => gateway.logs.find((line) => line.event === 'receiver-started'), {
    description: 'the target to start',
  });
  const startedAt = typeof started.time === 'number' ? started.time : Date.now();
  await waitFor(
    async () =>
      ((await scrapeMetrics(gateway.httpAddress)).value('gateway_alertmanager_notifications_sent_total', {
        target: 'bench',
      }) ?? 0) >= STORED,
    { timeoutMs: 600_000, intervalMs: 100, description: `${STORED} notifications sent` },
  );
  const seconds = (Date.now() - startedAt) / 1000;
  await gateway.stop();
  const count = await countAt(alertmanager);
  if (count !== STORED) throw new Error(`Alertmanager holds ${count} alerts, not ${STORED}`);
  await alertmanager.close();
  return { seconds, perSecond: STORED / seconds };
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
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  for (let offset = 0; offset < alerts.length; offset += BATCH) {
    const status = await post(agent, alertmanager.url, JSON.stringify(alerts.slice(offset, offset + BATCH)));
    if (status !== 200) throw new Error(`plain client: HTTP ${status}`);
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const count = await countAt(alertmanager);
  if (count !== STORED) throw new Error(`Alertmanager holds ${count} alerts, not ${STORED}`);
  await alertmanager.close();
  return { seconds, perSecond: STORED / seconds };
}

await runBenchmark(async () => {
  if (!AlertmanagerProcess.available()) throw new Error('prometheus-alertmanager is not installed (see .ci/run)');
  const template = mkdtempSync(join(tmpdir(), 'bench-am-template-'));
  onExit(() => rmSync(template, { recursive: true, force: true }));
  console.log(`prefilling ${fmtInt(STORED)} stored notifications…`);
  await prefill(template);
  console.log(`${ROUNDS} rounds, batches of ${BATCH}, one real Alertmanager (fresh) per run\n`);

  const [gateway, plain] = await alternatingRounds(
    ROUNDS,
    [
      { name: 'gateway', run: () => runGateway(template) },
      { name: 'plain', run: () => runPlain(template) },
    ],
    {
      afterRound(round, ran) {
        const line = ran.map(
          ({ name, result }) => `${name} ${fmtInt(result.perSecond)}/s (${result.seconds.toFixed(2)} s)`,
        );
        console.log(`round ${round}: ${line.join(', ')}`);
      },
    },
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

import { alerting } from '@app/proto';
import { waitFor } from '@app/testing';
import { alertOf, type AlertmanagerWebhookMessage } from '../src/receivers/webhook/webhook-payload.js';
import {
  deliveredAlerts,
  eventsLogged,
  EXTERNAL_URL,
  GENERATOR_URL,
  notification,
  receiversHarness,
  sentIds,
  WAIT,
} from './receivers/receivers-gateway.js';

// Webhook receivers delivering, with an in-process gateway, real HTTP
// receivers and a real progress file (receivers/receivers-gateway.ts): in
// order, once, through an outage and a restart, and from where they should
// start. A receiver that refuses, and the receivers API:
// receivers-failures.e2e-spec.ts.

const { OpniSeverity } = alerting;

describe('webhook receivers (e2e, in-process gateway, real HTTP receivers, real progress file)', () => {
  const { store, webhook, startGateway } = receiversHarness();

  it('delivers every matching notification once, in order, as mapped, through an outage; never a non-matching one', async () => {
    const ops = await webhook();
    const all = await webhook();
    let opsDown = true;
    ops.respond = () => (opsDown ? 503 : 200);

    // Stored before the receivers exist: "from": "end" (the default) skips them, "beginning" does not.
    const before = [
      (await store.store(notification('prod-eu-1', OpniSeverity.Critical))).stored,
      (await store.store(notification('dev', OpniSeverity.Info))).stored,
    ];
    const gateway = await startGateway([
      {
        name: 'ops',
        url: ops.url,
        minSeverity: 'Warning',
        clusters: ['prod-eu-1', 'prod-us-1'],
        headers: { Authorization: 'Bearer t0ken' },
        batchSize: 3,
        backoffInitialMs: 100,
        backoffMaxMs: 200,
        pollIntervalMs: 60_000, // the bus must wake it
      },
      { name: 'all', url: all.url, from: 'beginning', batchSize: 4, backoffInitialMs: 10, backoffMaxMs: 20 },
    ]);

    const plan: [string, alerting.OpniSeverity][] = [
      ['prod-eu-1', OpniSeverity.Critical],
      ['prod-eu-1', OpniSeverity.Info], // below minSeverity
      ['dev', OpniSeverity.Critical], // other cluster
      ['prod-us-1', OpniSeverity.Warning],
      ['prod-eu-1', OpniSeverity.Error],
      ['staging', OpniSeverity.Error],
      ['prod-us-1', OpniSeverity.Critical],
      ['prod-eu-1', OpniSeverity.Warning],
      ['prod-us-1', OpniSeverity.Info],
      ['prod-eu-1', OpniSeverity.Critical],
    ];
    const ingested: alerting.StoredNotification[] = [];
    for (const [cluster, severity] of plan) {
      ingested.push(await gateway.ingest(notification(cluster, severity, { node: 'node-1', 'bad key': 'x' })));
    }
    // A duplicate is not stored again, so not published, so not delivered again.
    await gateway.ingest({ ...notification('prod-eu-1', OpniSeverity.Critical), id: ingested[0].id });
    const matching = ingested.filter(
      (n) => ['prod-eu-1', 'prod-us-1'].includes(n.clusterId) && n.severity >= OpniSeverity.Warning,
    );
    expect(matching).toHaveLength(6);

    // The outage: the receiver answers 503; the API says retrying, the metrics count failures.
    const retrying = await waitFor(
      async () => {
        const view = await gateway.receiver('ops');
        return view.state === 'retrying' && view.consecutiveFailures >= 2 && view;
      },
      { ...WAIT, description: 'ops to be retrying' },
    );
    expect(retrying).toMatchObject({
      url: ops.url,
      filters: { minSeverity: 'Warning', clusters: ['prod-eu-1', 'prod-us-1'] },
      headers: ['Authorization'],
      lastSuccessAt: null,
      lastError: { message: expect.stringContaining('HTTP 503'), statusCode: 503 },
      delivered: 0,
    });
    expect(retrying.backlog).toBeGreaterThan(0);
    expect(JSON.stringify(retrying)).not.toContain('t0ken');
    expect(
      (await gateway.metrics()).value('gateway_receiver_deliveries_total', { receiver: 'ops', outcome: 'success' }),
    ).toBe(0);
    opsDown = false;

    const recovered = await waitFor(
      async () => {
        const view = await gateway.receiver('ops');
        return view.state === 'ok' && view.backlog === 0 && view;
      },
      { ...WAIT, description: 'ops to catch up' },
    );
    const last = ingested[ingested.length - 1].seq;
    expect(recovered).toMatchObject({
      cursor: String(last),
      consecutiveFailures: 0,
      delivered: 6,
      lastSuccessAt: expect.any(String),
    });

    // Exactly the matching ones, once each, oldest first, as mapped.
    expect(deliveredAlerts(ops)).toEqual(matching.map((stored) => alertOf(stored, GENERATOR_URL)));
    expect(deliveredAlerts(ops)[0].labels).toEqual({
      alertname: 'Critical on prod-eu-1',
      cluster_id: 'prod-eu-1',
      golden_signal: 'errors',
      node: 'node-1',
      opni_uuid: matching[0].id,
      severity: 'critical',
    });
    const nonMatching = [...before, ...ingested].filter((n) => !matching.includes(n)).map((n) => n.id);
    for (const id of nonMatching) expect(sentIds(ops)).not.toContain(id);
    for (const request of ops.requests) {
      const message = JSON.parse(request.body) as AlertmanagerWebhookMessage;
      expect(message.alerts.length).toBeLessThanOrEqual(3);
      expect(message).toMatchObject({ version: '4', receiver: 'ops', status: 'firing', externalURL: EXTERNAL_URL });
      expect(request.headers.authorization).toBe('Bearer t0ken');
    }

    // "all" has no filters and started at the beginning: everything stored, in seq order, once.
    await waitFor(async () => (await gateway.receiver('all')).backlog === 0 && deliveredAlerts(all).length === 12, {
      ...WAIT,
      description: 'all to catch up',
    });
    expect(deliveredAlerts(all).map((a) => a.labels.opni_uuid)).toEqual([...before, ...ingested].map((n) => n.id));

    // Metrics agree with what the receiver server saw.
    const failures = ops.requests.filter((r) => r.status === 503).length;
    const successes = ops.requests.filter((r) => r.status === 200).length;
    expect(failures).toBeGreaterThanOrEqual(2);
    const metrics = await gateway.metrics();
    expect(metrics.value('gateway_receiver_deliveries_total', { receiver: 'ops', outcome: 'failure' })).toBe(failures);
    expect(metrics.value('gateway_receiver_deliveries_total', { receiver: 'ops', outcome: 'success' })).toBe(successes);
    expect(metrics.value('gateway_receiver_notifications_delivered_total', { receiver: 'ops' })).toBe(6);
    expect(metrics.value('gateway_receiver_notifications_delivered_total', { receiver: 'all' })).toBe(12);
    expect(metrics.value('gateway_receiver_backlog', { receiver: 'ops' })).toBe(0);
    expect(metrics.value('gateway_receiver_last_success_timestamp_seconds', { receiver: 'ops' })).toBeCloseTo(
      Date.parse(recovered.lastSuccessAt!) / 1000,
      2,
    );
    expect(metrics.value('gateway_receiver_notifications_dead_lettered_total', { receiver: 'ops' })).toBe(0);
    expect(eventsLogged('receiver-delivery-failed', 'warn')).toHaveLength(failures);
    expect(eventsLogged('receiver-recovered')).toHaveLength(1);
  });

  it('resumes from the durable cursor after a restart: nothing lost, nothing delivered twice', async () => {
    const server = await webhook();
    let down = false;
    server.respond = () => (down ? 503 : 200);
    const receivers = [{ name: 'ops', url: server.url, batchSize: 2, backoffInitialMs: 20, backoffMaxMs: 40 }];

    let gateway = await startGateway(receivers);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await gateway.ingest(notification('c1', OpniSeverity.Error))).id);
    await waitFor(() => deliveredAlerts(server).length === 5, { ...WAIT, description: 'the first five' });

    // The receiver goes down with three more pending; the gateway stops while retrying.
    down = true;
    for (let i = 0; i < 3; i++) ids.push((await gateway.ingest(notification('c1', OpniSeverity.Error))).id);
    await waitFor(async () => (await gateway.receiver('ops')).consecutiveFailures >= 2, WAIT);
    await gateway.close();

    // Stored while the gateway's receivers are down (no bus to wake anyone).
    for (let i = 0; i < 2; i++) ids.push((await store.store(notification('c1', OpniSeverity.Error))).stored.id);
    down = false;

    gateway = await startGateway(receivers);
    await waitFor(async () => (await gateway.receiver('ops')).backlog === 0 && deliveredAlerts(server).length >= 10, {
      ...WAIT,
      description: 'delivery to resume after the restart',
    });

    expect(deliveredAlerts(server).map((alert) => alert.labels.opni_uuid)).toEqual(ids);
    expect(await gateway.receiver('ops')).toMatchObject({ cursor: '10', delivered: 10, state: 'ok' });
    // Counters restart with the process; the API's delivered count is durable.
    expect((await gateway.metrics()).value('gateway_receiver_notifications_delivered_total', { receiver: 'ops' })).toBe(
      5,
    );
  });

  it('starts a new receiver at the end of the store, and keeps that start across a restart', async () => {
    const server = await webhook();
    for (let i = 0; i < 3; i++) await store.store(notification('c1', OpniSeverity.Critical));
    const receivers = [{ name: 'late', url: server.url }];

    let gateway = await startGateway(receivers);
    expect(await gateway.receiver('late')).toMatchObject({ cursor: '3', backlog: 0, delivered: 0 });
    await gateway.close();
    const missed = (await store.store(notification('c1', OpniSeverity.Critical))).stored;

    gateway = await startGateway(receivers);
    await waitFor(() => deliveredAlerts(server).length === 1, {
      ...WAIT,
      description: 'the one stored after it began',
    });
    expect(deliveredAlerts(server)[0].labels.opni_uuid).toBe(missed.id);
    await waitFor(async () => (await gateway.receiver('late')).cursor === '4', WAIT);
    expect(await gateway.receiver('late')).toMatchObject({ backlog: 0, delivered: 1, state: 'ok' });
  });

  it('finds notifications the bus did not announce by polling (another writer, a missed wake-up)', async () => {
    const server = await webhook();
    const gateway = await startGateway([{ name: 'ops', url: server.url, pollIntervalMs: 50 }]);

    const quiet = (await store.store(notification('c1', OpniSeverity.Warning))).stored;

    await waitFor(() => deliveredAlerts(server).length === 1, { ...WAIT, description: 'the poll to find it' });
    expect(deliveredAlerts(server)[0].fingerprint).toBe(alertOf(quiet, GENERATOR_URL).fingerprint);
    expect((await gateway.receiver('ops')).cursor).toBe(String(quiet.seq));
  });
});

import { alerting } from '@app/proto';
import { waitFor } from '@app/testing';
import type { AlertmanagerWebhookMessage } from '../src/receivers/webhook/webhook-payload.js';
import type { ReceiverView } from '../src/receivers/webhook/receiver-view.js';
import { deliveredAlerts, eventsLogged, notification, receiversHarness, WAIT } from './receivers/receivers-gateway.js';

// Webhook receivers that refuse: failing, dead-lettering after maxAttempts or
// retrying forever; and the receivers API (credentials redacted). Same
// harness as receivers.e2e-spec.ts.

const { OpniSeverity } = alerting;

describe('webhook receivers that refuse, and the receivers API (e2e, in-process gateway)', () => {
  const { store, webhook, startGateway } = receiversHarness();

  it('shows a rejecting receiver as failing, dead-letters after maxAttempts, counts it, and carries on', async () => {
    const server = await webhook();
    let rejecting = true;
    server.respond = () => (rejecting ? 401 : 200);
    // Stored before start, so that the first read takes both into one batch.
    const rejected = [
      (await store.store(notification('c1', OpniSeverity.Critical))).stored,
      (await store.store(notification('c1', OpniSeverity.Critical))).stored,
    ];
    const gateway = await startGateway([
      { name: 'strict', url: server.url, from: 'beginning', maxAttempts: 3, backoffInitialMs: 10, backoffMaxMs: 20 },
    ]);

    const view = await waitFor(
      async () => {
        const current = await gateway.receiver('strict');
        return current.deadLettered === 2 && current;
      },
      { ...WAIT, description: 'the batch to be dead-lettered' },
    );
    expect(view).toMatchObject({
      state: 'failing',
      cursor: String(rejected[1].seq),
      backlog: 0,
      delivered: 0,
      lastError: { statusCode: 401, message: expect.stringContaining('HTTP 401') },
      lastDeadLetter: {
        fromSeq: String(rejected[0].seq),
        toSeq: String(rejected[1].seq),
        notifications: 2,
        statusCode: 401,
      },
    });
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect((JSON.parse(request.body) as AlertmanagerWebhookMessage).alerts.map((a) => a.labels.opni_uuid)).toEqual(
        rejected.map((n) => n.id),
      );
    }
    expect(eventsLogged('receiver-rejected', 'error')).toHaveLength(3);
    expect(eventsLogged('receiver-dead-lettered', 'error')).toHaveLength(1);
    const metrics = await gateway.metrics();
    expect(metrics.value('gateway_receiver_notifications_dead_lettered_total', { receiver: 'strict' })).toBe(2);
    expect(metrics.value('gateway_receiver_deliveries_total', { receiver: 'strict', outcome: 'failure' })).toBe(
      server.requests.length,
    );

    rejecting = false;
    const next = await gateway.ingest(notification('c1', OpniSeverity.Critical));
    await waitFor(() => deliveredAlerts(server).length === 1, { ...WAIT, description: 'the next one to get through' });
    expect(deliveredAlerts(server)[0].labels.opni_uuid).toBe(next.id);
    expect(await gateway.receiver('strict')).toMatchObject({ state: 'ok', deadLettered: 2, delivered: 1 });
  });

  it('retries a rejecting receiver forever by default, as failing', async () => {
    const server = await webhook();
    server.respond = () => 404;
    const gateway = await startGateway([{ name: 'typo', url: server.url, backoffInitialMs: 5, backoffMaxMs: 10 }]);

    await gateway.ingest(notification('c1', OpniSeverity.Info));
    const view = await waitFor(async () => {
      const current = await gateway.receiver('typo');
      return current.consecutiveFailures >= 8 && current;
    }, WAIT);

    expect(view).toMatchObject({ state: 'failing', cursor: '0', backlog: 1, deadLettered: 0 });
    expect((await gateway.metrics()).value('gateway_receiver_backlog', { receiver: 'typo' })).toBe(1);
  });

  it('lists receivers with credentials redacted, and answers 404 for an unknown one', async () => {
    const gateway = await startGateway([
      { name: 'a', url: 'https://user:pw@hooks.example.com/x?token=abc' },
      { name: 'b', url: 'http://127.0.0.1:9/hook', minSeverity: 'critical' },
    ]);

    const response = await fetch(`http://${gateway.httpAddress}/api/v1/receivers`);
    const body = (await response.json()) as { receivers: ReceiverView[] };

    expect(body.receivers.map((r) => [r.name, r.url, r.filters.minSeverity])).toEqual([
      ['a', 'https://***@hooks.example.com/x?token=***', 'Info'],
      ['b', 'http://127.0.0.1:9/hook', 'Critical'],
    ]);
    expect(JSON.stringify(body)).not.toMatch(/pw|abc/);
    const missing = await fetch(`http://${gateway.httpAddress}/api/v1/receivers/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not-found', message: 'no receiver named "nope"' });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUnaryClient } from '@app/runtime';
import {
  FakeKubeApi,
  fetchAgentQueue,
  fetchAgentQueueCount,
  fetchGatewayNotifications,
  installAlerting,
  joinArgs,
  notifyAll,
  openGatewayFeed,
  runApp,
  scrapeMetrics,
  spawnApp,
  waitFor,
  type GatewayFeed,
  type ObjectReference,
  type SpawnedApp,
} from '@app/testing';

// Acceptance of the Kubernetes event source (issue 23): a real gateway, a real
// agent process and the fake API server (HTTPS, kubeconfig, list + watch wire
// format). Events created in the fake server must reach the gateway's live
// feed mapped, ruled, coalesced; bad input must be counted and survived; a
// token without permission must show in health while Notify keeps working.

const RULES = `
rules:
  - name: quiet-batch
    match: { namespace: batch }
    drop: true
  - name: payments-critical
    match: { namespace: payments, reason: PaymentFailed }
    severity: Critical
    goldenSignal: Errors
`;

const sum = (scrape: Awaited<ReturnType<typeof scrapeMetrics>>, name: string, labels: Record<string, string> = {}) =>
  scrape.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);

describe('Kubernetes events as notifications', () => {
  let dir: string;
  let api: FakeKubeApi;
  const started: SpawnedApp[] = [];
  const feeds: GatewayFeed[] = [];
  const start = async (...args: Parameters<typeof spawnApp>) => {
    const app = await spawnApp(...args);
    started.push(app);
    return app;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kube-events-e2e-'));
    api = await FakeKubeApi.start({ bookmarkIntervalMs: 500 });
  });
  afterEach(async () => {
    for (const feed of feeds.splice(0)) feed.close();
    await Promise.all(started.splice(0).map((app) => app.stop('SIGKILL')));
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const agentArgs = (kubeconfig: string, extra: string[] = []) => [
    '--kube-events',
    'true',
    '--kubeconfig',
    kubeconfig,
    '--reconnect-max-delay-ms',
    '300',
    ...extra,
  ];

  it('maps events to notifications on the SSE feed: Normal/Warning, rules, drops, coalescing', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, RULES);
    const gateway = await start('gateway');
    const kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'));
    const agent = await start('agent', {
      args: [...(await joinArgs(gateway, 'kube-a')), ...agentArgs(kubeconfig, ['--kube-events-rules-file', rules])],
    });
    // Before alerting is installed the agent queues without pushing: a crash-looping pod's repeats coalesce.
    await waitFor(() => api.openWatches === 1, { timeoutMs: 20_000, description: 'the agent watching' });
    const crashLoop = api.createEvent({
      namespace: 'payments',
      reason: 'BackOff',
      type: 'Warning',
      note: 'Back-off restarting failed container api in pod api-7f9c',
      regarding: { kind: 'Pod', name: 'api-7f9c', namespace: 'payments' },
    });
    for (let n = 0; n < 3; n++) api.repeatEvent(crashLoop);
    await waitFor(async () => sum(await scrapeMetrics(agent.httpAddress), 'agent_kube_events_coalesced_total') === 3, {
      timeoutMs: 20_000,
      description: 'three repeats coalesced',
    });
    expect(await fetchAgentQueueCount(agent.httpAddress)).toBe(1);

    const feed = await openGatewayFeed(gateway.httpAddress, { cluster: 'kube-a' });
    feeds.push(feed);
    await installAlerting(gateway.httpAddress, 'kube-a');
    // namespace, reason, type, note, regarding; the last two are dropped (Pulled by the default rules, batch by RULES).
    const specs: [string, string, string, string, ObjectReference][] = [
      ['shop', 'Rollout', 'Normal', 'rolled out v2', { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }],
      [
        'shop',
        'FailedScheduling',
        'Warning',
        '0/3 nodes are available: 3 Insufficient cpu.',
        { kind: 'Pod', name: 'web-1' },
      ],
      [
        'default',
        'NodeNotReady',
        'Normal',
        'Node worker-3 status is now: NodeNotReady',
        { kind: 'Node', name: 'worker-3', namespace: '' },
      ],
      ['payments', 'PaymentFailed', 'Warning', 'card processor unreachable', { kind: 'Pod', name: 'checkout-0' }],
      ['shop', 'Pulled', 'Normal', 'image pulled', { name: 'web-1' }],
      ['batch', 'BackOff', 'Warning', 'noisy', { name: 'job-1' }],
    ];
    const [normal, warning, nodeDown, payment] = specs.map(([namespace, reason, type, note, regarding]) =>
      api.createEvent({ namespace, reason, type, note, regarding }),
    );

    const byTitle = () => new Map(feed.received.map(({ notification }) => [notification.title, notification]));
    const expected = [
      'BackOff: pod payments/api-7f9c',
      'Rollout: deployment shop/web',
      'FailedScheduling: pod shop/web-1',
      'NodeNotReady: node worker-3',
      'PaymentFailed: pod payments/checkout-0',
    ];
    await waitFor(() => expected.every((title) => byTitle().has(title)), {
      timeoutMs: 30_000,
      description: 'the mapped events on the SSE feed',
    });
    const got = byTitle();
    expect(got.get('BackOff: pod payments/api-7f9c')).toMatchObject({
      id: `k8s/${crashLoop.metadata.uid}/1`,
      severity: 'Warning',
      goldenSignal: 'Errors',
      properties: expect.objectContaining({ opni_occurrences: '4', k8s_count: '4', k8s_reason: 'BackOff' }),
    });
    expect(got.get('Rollout: deployment shop/web')).toMatchObject({
      id: `k8s/${normal.metadata.uid}/1`,
      body: 'rolled out v2',
      severity: 'Info',
      goldenSignal: 'Custom',
      properties: expect.objectContaining({
        k8s_namespace: 'shop',
        k8s_kind: 'Deployment',
        k8s_name: 'web',
        k8s_type: 'Normal',
        k8s_reporting_controller: 'kubelet',
        k8s_event_uid: normal.metadata.uid,
        opni_clusterId: 'kube-a',
      }),
    });
    expect(got.get('FailedScheduling: pod shop/web-1')).toMatchObject({
      id: `k8s/${warning.metadata.uid}/1`,
      severity: 'Warning',
      goldenSignal: 'Saturation',
    });
    expect(got.get('NodeNotReady: node worker-3')).toMatchObject({
      id: `k8s/${nodeDown.metadata.uid}/1`,
      severity: 'Critical',
    });
    expect(got.get('PaymentFailed: pod payments/checkout-0')).toMatchObject({
      id: `k8s/${payment.metadata.uid}/1`,
      severity: 'Critical',
      goldenSignal: 'Errors',
    });
    // The dropped ones never reach the gateway: once the agent's queue is empty, they are not there either.
    await waitFor(async () => (await fetchAgentQueueCount(agent.httpAddress)) === 0, {
      timeoutMs: 20_000,
      description: 'the queue drained',
    });
    const listed = await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'kube-a' });
    expect(listed.map((n) => n.title).sort()).toEqual([...expected].sort());
    const scrape = await scrapeMetrics(agent.httpAddress);
    expect(sum(scrape, 'agent_kube_events_dropped_total', { reason: 'rule' })).toBe(2);
    expect(sum(scrape, 'agent_kube_events_queued_total')).toBe(8);
    expect(sum(scrape, 'agent_kube_events_state', { state: 'watching' })).toBe(1);
    const health = createUnaryClient('control.Health', agent.grpcAddress);
    try {
      const reported = await health.getHealth({});
      expect(reported.annotations['kubeEvents.state']).toBe('watching');
    } finally {
      health.close();
    }
  });

  it('counts and logs bad input (garbage, malformed, unknown type, no involved object, 10 MB message) and keeps watching', async () => {
    const gateway = await start('gateway');
    const kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'));
    const agent = await start('agent', { args: [...(await joinArgs(gateway, 'kube-b')), ...agentArgs(kubeconfig)] });
    await installAlerting(gateway.httpAddress, 'kube-b');
    await waitFor(() => api.openWatches === 1, { timeoutMs: 20_000, description: 'the agent watching' });
    api.sendRaw('{"type":"ADDED","object":{"metadata":\n\u0000\u0001 garbage\n');
    api.createRawEvent({ kind: 'Event', metadata: 'not an object', reason: 'X' });
    api.createRawEvent({ kind: 'Event', metadata: { name: 'n', namespace: 'a', uid: 'no-object' }, reason: 'Lonely' });
    api.createRawEvent({
      kind: 'Event',
      metadata: { name: 'huge', namespace: 'a', uid: 'huge-and-odd' },
      reason: 'Huge',
      type: 'Apocalyptic',
      regarding: { kind: 'Pod', name: 'big', namespace: 'a', uid: 'pod-big' },
      note: 'x'.repeat(10 * 1024 * 1024),
    });
    api.createRawEvent({ kind: 'Event', metadata: { name: 'w', namespace: 'a', uid: 'weird' } }, 'WHATEVER' as never);
    const after = api.createEvent({ namespace: 'a', reason: 'StillHere', type: 'Warning', regarding: { name: 'p' } });
    await waitFor(
      async () => {
        const listed = await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'kube-b' });
        return listed.length === 2 && listed;
      },
      { timeoutMs: 30_000, description: 'the huge event and the one after the garbage at the gateway' },
    );
    const listed = await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'kube-b' });
    const huge = listed.find((n) => n.id === 'k8s/huge-and-odd/1')!;
    expect(huge.severity).toBe('Warning');
    expect(huge.body.endsWith('…(truncated)')).toBe(true);
    expect(Buffer.byteLength(huge.body)).toBeLessThanOrEqual(64 * 1024);
    expect(listed.map((n) => n.id)).toContain(`k8s/${after.metadata.uid}/1`);
    const scrape = await scrapeMetrics(agent.httpAddress);
    const invalid = (reason: string) => sum(scrape, 'agent_kube_events_invalid_total', { reason });
    expect({
      garbage: invalid('garbage-line'),
      malformed: invalid('malformed'),
      missing: invalid('missing-involved-object'),
      unknownType: invalid('unknown-type'),
      unknownWatchType: invalid('unknown-watch-type'),
      truncated: invalid('truncated'),
    }).toEqual({ garbage: 2, malformed: 1, missing: 1, unknownType: 1, unknownWatchType: 1, truncated: 1 });
    const logged = agent.logs.filter((line) => line.event === 'kube-events-bad-input');
    expect(logged.length).toBe(7);
    expect(agent.process.exitCode).toBeNull();
    expect(api.openWatches).toBe(1);
  });

  it('a token without permission: logged once, forbidden in health, and Notify keeps working', async () => {
    const gateway = await start('gateway');
    const kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'), api.forbiddenToken);
    const agent = await start('agent', { args: [...(await joinArgs(gateway, 'kube-c')), ...agentArgs(kubeconfig)] });
    await waitFor(() => api.requests.filter((r) => r.status === 403).length >= 3, {
      timeoutMs: 30_000,
      description: 'three refused attempts',
    });
    const health = createUnaryClient('control.Health', agent.grpcAddress);
    try {
      const reported = await health.getHealth({});
      expect(reported.annotations['kubeEvents.state']).toBe('forbidden');
      expect(reported.annotations['kubeEvents.detail']).toContain('cannot list resource "events"');
      expect(reported.conditions).toContain('Kubernetes Events Forbidden');
      expect(reported.ready).toBe(false);
    } finally {
      health.close();
    }
    const forbidden = agent.logs.filter((line) => line.event === 'kube-events-forbidden');
    expect(forbidden).toHaveLength(1);
    expect(String(forbidden[0].msg)).toContain('cannot list resource "events" in API group "events.k8s.io"');
    await notifyAll(agent.grpcAddress, [{ id: 'still-serving', severity: 'Info' }]);
    expect(await fetchAgentQueueCount(agent.httpAddress)).toBe(1);
    const scrape = await scrapeMetrics(agent.httpAddress);
    expect(sum(scrape, 'agent_kube_events_state', { state: 'forbidden' })).toBe(1);
  });

  it('falls back to core/v1 events when events.k8s.io/v1 is not served', async () => {
    await api.close();
    api = await FakeKubeApi.start({ eventsV1: false });
    const agent = await start('agent', { args: agentArgs(api.writeKubeconfig(join(dir, 'kubeconfig'))) });
    await waitFor(() => api.openWatches === 1, { timeoutMs: 20_000, description: 'the agent watching' });
    const event = api.createEvent({
      namespace: 'legacy',
      reason: 'BackOff',
      type: 'Warning',
      note: 'Back-off restarting failed container',
      regarding: { kind: 'Pod', name: 'old-1' },
    });
    api.repeatEvent(event);
    await waitFor(async () => (await fetchAgentQueue(agent.httpAddress)).entries.length === 1, {
      timeoutMs: 20_000,
      description: 'the core/v1 event queued',
    });
    const [entry] = (await fetchAgentQueue(agent.httpAddress)).entries;
    expect(entry).toMatchObject({ id: `k8s/${event.metadata.uid}/1`, occurrences: 2, severity: 'Warning' });
    expect(api.requests.some((r) => r.path === '/api/v1/events' && r.query.watch === 'true')).toBe(true);
    expect(api.requests.some((r) => r.path.startsWith('/apis/events.k8s.io/v1/'))).toBe(false);
    expect(agent.logs.some((line) => line.event === 'kube-events-core-v1')).toBe(true);
  });

  it('refuses to start with a bad rules file, naming the rule and the field', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - name: too-loud\n    match: { reason: BackOff }\n    severity: Deafening\n');
    const run = await runApp('agent', [
      '--kube-events',
      'true',
      '--kube-events-rules-file',
      rules,
      '--kubeconfig',
      api.writeKubeconfig(join(dir, 'kc')),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `invalid setting AGENT_KUBE_EVENTS_RULES_FILE (--kube-events-rules-file): ${rules}: rule "too-loud" (rules[0]): severity "Deafening" is not one of Info, Warning, Error, Critical`,
    );
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DEFAULT_NOTIFICATION_LIMITS } from '@app/notification-model';
import { FakeKubeApi, waitFor } from '@app/testing';
import { NotificationQueue } from '../../queue/notification-queue.js';
import { SqliteQueueStore } from '../../queue/sqlite-queue-store.js';
import { EVENT_ID_PREFIX } from './event-mapping.js';
import { shippedRules } from './event-rules.js';
import { EventWatcher } from './event-watcher.js';
import { KubeApiClient } from './kube-api-client.js';
import { KubeEventsMetrics, type SourceState } from './kube-events-metrics.js';

// The list-then-watch loop against the fake API server over real HTTPS with
// a kubeconfig, writing into a real queue on SQLite: resume from the stored
// cursor, 410 → relist, cut streams, bookmarks, bad input, 403.

describe('EventWatcher', () => {
  let dir: string;
  let api: FakeKubeApi;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kube-watcher-'));
    api = await FakeKubeApi.start({ bookmarkIntervalMs: 0 });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A queue on `dir` and a watcher feeding it; stop() ends both (a restart opens new ones on the same file). */
  async function startWatcher(options: { token?: string; minType?: 'Normal' | 'Warning' } = {}) {
    const queue = new NotificationQueue(
      new SqliteQueueStore(join(dir, 'queue.db'), 'os'),
      { maxCount: 10_000, maxBytes: 1 << 28 },
      DEFAULT_NOTIFICATION_LIMITS,
      { now: () => Date.now() },
    );
    queue.rememberResolved(EVENT_ID_PREFIX, 1000);
    await queue.onModuleInit();
    const registry = new Registry();
    const metrics = new KubeEventsMetrics(registry);
    const states: SourceState[] = [];
    const kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'), options.token);
    const watcher = new EventWatcher({
      client: new KubeApiClient(kubeconfig),
      queue,
      api: 'events.k8s.io/v1',
      namespace: '',
      rules: shippedRules(),
      limits: DEFAULT_NOTIFICATION_LIMITS,
      minType: options.minType ?? 'Normal',
      metrics,
      logger: new Logger('test'),
      onState: (state) => states.push(state),
      maxBackoffMs: 200,
    });
    const running = watcher.run();
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      watcher.stop();
      await running;
      await queue.onModuleDestroy();
    };
    cleanups.push(stop);
    const counter = async (name: string, labels: Record<string, string> = {}) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
      return (metric?.values ?? [])
        .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
        .reduce((sum, v) => sum + v.value, 0);
    };
    const ids = () => [...queue.entries()].map((e) => e.id);
    return { queue, watcher, states, stop, counter, ids };
  }

  const warning = (name: string, reason = 'BackOff') => ({
    namespace: 'payments',
    reason,
    type: 'Warning',
    note: `${reason} of ${name}`,
    regarding: { kind: 'Pod', name, namespace: 'payments' },
  });

  it('lists, then watches; resumes after a restart from the committed cursor without a relist', async () => {
    const before = api.createEvent(warning('api-1'));
    let agent = await startWatcher();
    await waitFor(() => agent.states.includes('watching'), { timeoutMs: 10_000, description: 'watching' });
    const live = api.createEvent(warning('api-2'));
    await waitFor(() => agent.ids().length === 2, { timeoutMs: 10_000, description: 'both events queued' });
    expect(agent.ids().sort()).toEqual([`k8s/${before.metadata.uid}/1`, `k8s/${live.metadata.uid}/1`].sort());
    await agent.stop();

    const whileDown = api.createEvent(warning('api-3'));
    const lists = api.requests.filter((r) => r.query.watch === undefined && r.path.endsWith('/events')).length;
    agent = await startWatcher();
    await waitFor(() => agent.ids().length === 3, { timeoutMs: 10_000, description: 'the event made while down' });
    expect(agent.ids()).toContain(`k8s/${whileDown.metadata.uid}/1`);
    expect(api.requests.filter((r) => r.query.watch === undefined && r.path.endsWith('/events'))).toHaveLength(lists);
    const resumed = api.requests.filter((r) => r.query.watch === 'true').at(-1)!;
    expect(Number(resumed.query.resourceVersion)).toBe(Number(live.metadata.resourceVersion));
    expect(resumed.query.allowWatchBookmarks).toBe('true');
    expect(await agent.counter('agent_kube_events_relists_total')).toBe(0);
  });

  it("lists in pages, and watches from the first page's resourceVersion", async () => {
    const created = Array.from({ length: 1200 }, (_, n) => api.createEvent(warning(`pod-${n}`)).metadata.uid);
    const snapshot = api.resourceVersion;
    const agent = await startWatcher();
    await waitFor(() => agent.ids().length === 1200, { timeoutMs: 20_000, description: 'every listed event queued' });
    expect(new Set(agent.ids())).toEqual(new Set(created.map((uid) => `k8s/${uid}/1`)));
    const lists = api.requests.filter((r) => r.query.watch === undefined && r.path.endsWith('/events'));
    expect(lists.map((r) => r.query.continue !== undefined)).toEqual([false, true, true]);
    await waitFor(() => api.openWatches === 1, { timeoutMs: 10_000, description: 'watching' });
    expect(api.requests.find((r) => r.query.watch === 'true')!.query.resourceVersion).toBe(snapshot);
  });

  it('relists after 410 Gone and does not queue twice what is queued or was resolved', async () => {
    const first = api.createEvent(warning('db-0'));
    const second = api.createEvent(warning('db-1'));
    let agent = await startWatcher();
    await waitFor(() => agent.ids().length === 2, { timeoutMs: 10_000, description: 'queued' });
    // The gateway resolves the first one.
    await agent.queue.take(1);
    await agent.queue.resolve(agent.queue.inFlightIds()[0] ?? '');
    await agent.stop();
    const third = api.createEvent(warning('db-2'));
    api.expire();
    agent = await startWatcher();
    await waitFor(() => agent.ids().length === 2, { timeoutMs: 10_000, description: 'relisted' });
    await waitFor(async () => (await agent.counter('agent_kube_events_relists_total')) === 1, {
      timeoutMs: 10_000,
      description: 'one relist counted',
    });
    expect(agent.ids().sort()).toEqual(
      [second, third]
        .map((e) => `k8s/${e.metadata.uid}/1`)
        .sort()
        .filter((id) => id !== `k8s/${first.metadata.uid}/1`),
    );
    expect(await agent.counter('agent_kube_events_duplicates_total')).toBe(2);
  });

  it('after a relist, an event whose count rose while the agent was down is one notification for the rise', async () => {
    const crashLoop = api.createEvent(warning('db-0'));
    let agent = await startWatcher();
    const firstId = `k8s/${crashLoop.metadata.uid}/1`;
    await waitFor(() => agent.ids().includes(firstId), { timeoutMs: 10_000, description: 'queued' });
    const [delivered] = await agent.queue.take(1);
    await agent.queue.resolve(delivered.id);
    await agent.stop();
    for (let i = 0; i < 3; i++) api.repeatEvent(crashLoop); // count 4, while the agent is down
    api.expire();
    agent = await startWatcher();
    const risenId = `k8s/${crashLoop.metadata.uid}/4`;
    await waitFor(() => agent.ids().includes(risenId), { timeoutMs: 10_000, description: 'the risen count queued' });
    const [taken] = await agent.queue.take(1);
    expect(taken.id).toBe(risenId);
    expect(taken.notification.properties).toMatchObject({ opni_occurrences: '3', k8s_count: '4' });
    // Seen again at the same count (another relist): nothing new to send.
    await agent.queue.resolve(risenId);
    await agent.stop();
    api.bumpResourceVersion(1); // the agent's cursor falls below the compaction
    api.expire();
    agent = await startWatcher();
    await waitFor(async () => (await agent.counter('agent_kube_events_relists_total')) === 1, {
      timeoutMs: 10_000,
      description: 'relisted',
    });
    await waitFor(async () => (await agent.counter('agent_kube_events_duplicates_total')) === 1, {
      timeoutMs: 10_000,
      description: 'the unchanged event counted as seen before',
    });
    expect(agent.ids()).toEqual([]);
    expect(await agent.counter('agent_kube_events_queued_total')).toBe(0);
  });

  it('reconnects after a cut stream, and advances the cursor on bookmarks', async () => {
    const agent = await startWatcher();
    await waitFor(() => api.openWatches === 1, { timeoutMs: 10_000, description: 'a watch open' });
    api.cutWatches();
    await waitFor(() => api.openWatches === 1, { timeoutMs: 10_000, description: 'the watch reopened after a cut' });
    const after = api.createEvent(warning('web-0'));
    await waitFor(() => agent.ids().includes(`k8s/${after.metadata.uid}/1`), {
      timeoutMs: 10_000,
      description: 'queued',
    });
    api.bumpResourceVersion(50);
    api.bookmark();
    await waitFor(async () => (await agent.queue.readState('kube-events/resourceVersion/*')) === api.resourceVersion, {
      timeoutMs: 10_000,
      description: 'the bookmark committed as the cursor',
    });
    expect(await agent.counter('agent_kube_events_watch_restarts_total')).toBeGreaterThanOrEqual(1);
  });

  it('opens the watch again when the server ends it at its timeout, from where it was', async () => {
    await api.close();
    api = await FakeKubeApi.start({ bookmarkIntervalMs: 0, watchTimeoutMs: 300 });
    const agent = await startWatcher();
    await waitFor(
      async () => (await agent.counter('agent_kube_events_watch_restarts_total', { reason: 'ended' })) >= 2,
      {
        timeoutMs: 10_000,
        description: 'two server-side timeouts',
      },
    );
    const event = api.createEvent(warning('late'));
    await waitFor(() => agent.ids().includes(`k8s/${event.metadata.uid}/1`), {
      timeoutMs: 10_000,
      description: 'queued',
    });
    const lists = api.requests.filter((r) => r.query.watch === undefined && r.path.endsWith('/events'));
    expect(lists).toHaveLength(1);
  });

  it('counts and skips bad input, and the watch goes on', async () => {
    const agent = await startWatcher();
    await waitFor(() => api.openWatches === 1, { timeoutMs: 10_000, description: 'a watch open' });
    api.sendRaw('this is not json\n{"type":"ADDED"\n[1,2]\n');
    api.createRawEvent({ kind: 'Event', metadata: { name: 'x', namespace: 'a' }, reason: 'NoUid' });
    api.createRawEvent({
      kind: 'Event',
      metadata: { name: 'y', namespace: 'a', uid: 'u-1' },
      reason: 'Lonely',
      type: 'Warning',
    });
    api.createRawEvent({
      kind: 'Event',
      metadata: { name: 'z', namespace: 'a', uid: 'u-2' },
      reason: 'Odd',
      type: 'Catastrophic',
      regarding: { kind: 'Pod', name: 'p', namespace: 'a', uid: 'p-1' },
      note: 'x'.repeat(10 * 1024 * 1024),
    });
    const good = api.createEvent(warning('after-the-garbage'));
    await waitFor(() => agent.ids().includes(`k8s/${good.metadata.uid}/1`), {
      timeoutMs: 20_000,
      description: 'the watch went on',
    });
    expect(agent.ids()).toContain('k8s/u-2/1');
    expect(await agent.counter('agent_kube_events_invalid_total', { reason: 'garbage-line' })).toBe(3);
    expect(await agent.counter('agent_kube_events_invalid_total', { reason: 'malformed' })).toBe(1);
    expect(await agent.counter('agent_kube_events_invalid_total', { reason: 'missing-involved-object' })).toBe(1);
    expect(await agent.counter('agent_kube_events_invalid_total', { reason: 'unknown-type' })).toBe(1);
    expect(await agent.counter('agent_kube_events_invalid_total', { reason: 'truncated' })).toBe(1);
    expect(api.openWatches).toBe(1);
  });

  it('reports forbidden for a token without permission, and keeps retrying', async () => {
    const agent = await startWatcher({ token: api.forbiddenToken });
    await waitFor(() => agent.states.filter((s) => s === 'forbidden').length >= 2, {
      timeoutMs: 10_000,
      description: 'forbidden, retried',
    });
    expect(api.requests.filter((r) => r.status === 403).length).toBeGreaterThanOrEqual(2);
  });
});

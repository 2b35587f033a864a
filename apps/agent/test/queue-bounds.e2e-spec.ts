import { status } from '@grpc/grpc-js';
import { checkGrpcHealth, fetchAgentQueue, scrapeMetrics, waitFor, type SpawnedApp } from '@app/testing';
import { grpcError, note, notify, useSpawnedAgent, type Client } from './notify-suite.js';

// The agent's queue bounds over real gRPC against the built agent: eviction
// order, the Critical rule, RESOURCE_EXHAUSTED, and what /metrics shows of them.

describe('agent queue bounds (--queue-max-count 3)', () => {
  let app: SpawnedApp;
  let client: Client;

  const send = (id: string, severity: string) =>
    notify(client, { id, message: note({ title: `${severity} ${id}`, properties: { opni_severity: severity } }) });
  const listed = async () =>
    (await fetchAgentQueue(app.httpAddress)).entries.map((entry) => `${entry.id}:${entry.severity}`);
  useSpawnedAgent({ args: ['--queue-max-count', '3'] }, (spawned, opened) => {
    app = spawned;
    client = opened;
  });

  it('fills up with Info', async () => {
    for (const id of ['info-1', 'info-2', 'info-3']) expect(await send(id, 'Info')).toEqual({ id, coalesced: false });
    expect(await listed()).toEqual(['info-1:Info', 'info-2:Info', 'info-3:Info']);
  });

  it('a Critical evicts the oldest Info', async () => {
    expect(await send('crit-1', 'Critical')).toEqual({ id: 'crit-1', coalesced: false });
    expect(await listed()).toEqual(['crit-1:Critical', 'info-2:Info', 'info-3:Info']);
    const logged = await waitFor(() => app.logs.find((line) => line.event === 'queue-evicted'), {
      timeoutMs: 5_000,
      description: 'a queue-evicted log line',
    });
    expect(logged).toMatchObject({ ids: ['info-1'], severities: ['Info'] });
  });

  it('more Criticals evict the remaining Infos, oldest first', async () => {
    expect(await send('crit-2', 'Critical')).toEqual({ id: 'crit-2', coalesced: false });
    expect(await listed()).toEqual(['crit-1:Critical', 'crit-2:Critical', 'info-3:Info']);
    expect(await send('crit-3', 'Critical')).toEqual({ id: 'crit-3', coalesced: false });
    expect(await listed()).toEqual(['crit-1:Critical', 'crit-2:Critical', 'crit-3:Critical']);
  });

  it('full of Criticals, a Warning gets RESOURCE_EXHAUSTED with a clear message and nothing changes', async () => {
    const error = await grpcError(send('warn-1', 'Warning'));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/^queue full \(3 of 3 notifications, \d+ of \d+ bytes\)/);
    expect(error.details).toContain('nothing less important than this Warning notification can be evicted; not queued');
    expect(await listed()).toEqual(['crit-1:Critical', 'crit-2:Critical', 'crit-3:Critical']);
  });

  it('a retry of the rejected Warning is rejected again, not silently accepted', async () => {
    expect((await grpcError(send('warn-1', 'Warning'))).code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await grpcError(send('info-4', 'Info'))).code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await fetchAgentQueue(app.httpAddress)).count).toBe(3);
  });

  it('shows the evictions and rejections in /metrics with their severities', async () => {
    const metrics = await scrapeMetrics(app.httpAddress);
    const evicted = (severity: string) => metrics.value('agent_queue_evicted_total', { severity });
    const rejected = (severity: string, reason: string) =>
      metrics.value('agent_queue_rejected_total', { severity, reason }) ?? 0;
    const depth = (severity: string) => metrics.value('agent_queue_depth', { severity });

    expect([evicted('Info'), evicted('Warning'), evicted('Error'), evicted('Critical')]).toEqual([3, 0, 0, 0]);
    expect(rejected('Warning', 'full')).toBe(2);
    expect(rejected('Info', 'full')).toBe(1);
    expect(rejected('Critical', 'full')).toBe(0);
    expect(rejected('Warning', 'invalid') + rejected('Info', 'invalid')).toBe(0);
    expect([depth('Info'), depth('Warning'), depth('Error'), depth('Critical')]).toEqual([0, 0, 0, 3]);
  });

  it('is still SERVING', async () => {
    expect(await checkGrpcHealth(app.grpcAddress)).toBe('SERVING');
    expect(await checkGrpcHealth(app.grpcAddress, 'alerting.NotificationService')).toBe('SERVING');
  });
});

describe('agent queue bounds: a coalesced Critical in the same group commit as a less important newcomer', () => {
  let app: SpawnedApp;
  let client: Client;
  useSpawnedAgent({ args: ['--queue-max-count', '2'] }, (spawned, opened) => {
    app = spawned;
    client = opened;
  });

  // The Critical merged into "t" in the same group commit makes "t" a Critical before its new severity is
  // stored: eviction must not go by the stored Info. "u" (Info) is evicted; "t" stays, Critical, 2 occurrences.
  it('never evicts it to admit a Warning (invariant 5)', async () => {
    const send = (id: string, properties: Record<string, string>) =>
      notify(client, { id, message: note({ properties }) });
    expect(await send('t', { opni_dedupe_key: 'K', opni_severity: 'Info' })).toEqual({ id: 't', coalesced: false });
    expect(await send('u', { opni_severity: 'Info' })).toEqual({ id: 'u', coalesced: false });
    // Sent together, so that both land in one group commit.
    const [merged, warning] = await Promise.all([
      send('fire', { opni_dedupe_key: 'K', opni_severity: 'Critical' }),
      send('w', { opni_severity: 'Warning' }),
    ]);
    expect(merged).toEqual({ id: 't', coalesced: true });
    expect(warning).toEqual({ id: 'w', coalesced: false });
    const entries = (await fetchAgentQueue(app.httpAddress)).entries;
    expect(entries.map((entry) => `${entry.id}:${entry.severity}:${entry.occurrences}`)).toEqual([
      't:Critical:2',
      'w:Warning:1',
    ]);
    const metrics = await scrapeMetrics(app.httpAddress);
    expect(metrics.value('agent_queue_evicted_total', { severity: 'Info' })).toBe(1);
  });
});

import { status } from '@grpc/grpc-js';
import {
  checkGrpcHealth,
  drainOrderViolation,
  fetchAgentQueue,
  fetchAgentQueueCount,
  scrapeMetrics,
  type SpawnedApp,
} from '@app/testing';
import { grpcError, note, notify, useSpawnedAgent, type Client, type Request } from './notify-suite.js';

// Notify over real gRPC against the built agent: validation, idempotency and
// dedupe coalescing (the bounds: queue-bounds.e2e-spec.ts).

function properties(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${i}`, `v${i}`]));
}

describe('agent NotificationService.Notify over gRPC', () => {
  let app: SpawnedApp;
  let client: Client;

  useSpawnedAgent(undefined, (spawned, opened) => {
    app = spawned;
    client = opened;
  });

  describe('rejects bad input with INVALID_ARGUMENT naming the field, and stores nothing', () => {
    const SEVERITY = 'message.properties["opni_severity"]';
    const SIGNAL = 'message.properties["opni_goldenSignal"]';
    const BLANK = 'is required and must not be blank';
    // [what, request, field named first in the details, more of the expected details]
    const cases: [string, Request, string, string][] = [
      ['a missing message', { id: 'bad-1', message: undefined }, 'message', 'is required'],
      // proto3 cannot tell an absent string from an empty one: both are not on the wire.
      ['a missing (empty) title', { id: 'bad-2', message: note({ title: '' }) }, 'message.title', BLANK],
      ['a blank title', { id: 'bad-3', message: note({ title: '   ' }) }, 'message.title', BLANK],
      ['a whitespace-only title', { id: 'bad-4', message: note({ title: '\t\r\n ' }) }, 'message.title', BLANK],
      ['a missing (empty) body', { id: 'bad-5', message: note({ body: '' }) }, 'message.body', BLANK],
      ['a blank body', { id: 'bad-6', message: note({ body: ' \n ' }) }, 'message.body', BLANK],
      [
        'a title of 1025 bytes',
        { id: 'bad-7', message: note({ title: 'a'.repeat(1025) }) },
        'message.title',
        'is 1025 bytes; at most 1024 are allowed',
      ],
      [
        "a title of 342 '€' (342 characters, 1026 bytes)",
        { id: 'bad-8', message: note({ title: '€'.repeat(342) }) },
        'message.title',
        'is 1026 bytes; at most 1024 are allowed',
      ],
      [
        'a body of 65537 bytes',
        { id: 'bad-9', message: note({ body: 'x'.repeat(65537) }) },
        'message.body',
        'is 65537 bytes; at most 65536 are allowed',
      ],
      [
        '65 properties',
        { id: 'bad-10', message: note({ properties: properties(65) }) },
        'message.properties',
        'has 65 entries besides the well-known opni_* ones; at most 64 are allowed',
      ],
      [
        'a property key of 257 bytes',
        { id: 'bad-11', message: note({ properties: { ['k'.repeat(257)]: 'v' } }) },
        'message.properties',
        `key "${'k'.repeat(64)}" must be 1 to 256 bytes (is 257)`,
      ],
      [
        'a property value of 4097 bytes',
        { id: 'bad-12', message: note({ properties: { team: 'v'.repeat(4097) } }) },
        'message.properties["team"]',
        'is 4097 bytes; at most 4096 are allowed',
      ],
      [
        'an unknown severity',
        { id: 'bad-13', message: note({ properties: { opni_severity: 'crit' } }) },
        SEVERITY,
        '"crit" is not a severity; use one of Info, Warning, Error, Critical',
      ],
      [
        'a golden signal that is a severity name',
        { id: 'bad-14', message: note({ properties: { opni_goldenSignal: 'Error' } }) },
        SIGNAL,
        '"Error" is not a golden signal; use one of Custom, Errors, Saturation, Traffic, Latency',
      ],
      ['an id of 257 bytes', { id: 'i'.repeat(257), message: note() }, 'id', 'must be at most 256 bytes'],
      [
        'an id with a control character',
        { id: 'bad\n16', message: note() },
        'id',
        'must not contain control characters',
      ],
    ];

    it.each(cases)('%s', async (_what, request, field, reason) => {
      const before = await fetchAgentQueue(app.httpAddress);
      const error = await grpcError(notify(client, request));
      expect({ code: error.code, details: error.details }).toEqual({
        code: status.INVALID_ARGUMENT,
        details: `${field}: ${reason}`,
      });
      const after = await fetchAgentQueue(app.httpAddress);
      expect(after.count).toBe(before.count);
      expect(after.entries.map((entry) => entry.id)).toEqual(before.entries.map((entry) => entry.id));
      if (request.id) expect(after.entries.map((entry) => entry.id)).not.toContain(request.id);
    });

    it('counts every rejection in agent_queue_rejected_total{reason="invalid"}', async () => {
      const metrics = await scrapeMetrics(app.httpAddress);
      const invalid = metrics.samples
        .filter((sample) => sample.name === 'agent_queue_rejected_total' && sample.labels.reason === 'invalid')
        .reduce((sum, sample) => sum + sample.value, 0);
      expect(invalid).toBe(cases.length);
      expect(metrics.value('agent_queue_rejected_total', { severity: 'Info', reason: 'full' }) ?? 0).toBe(0);
    });

    it('still serves afterwards: gRPC health SERVING', async () => {
      expect(await checkGrpcHealth(app.grpcAddress)).toBe('SERVING');
      expect(await checkGrpcHealth(app.grpcAddress, 'alerting.NotificationService')).toBe('SERVING');
    });
  });

  describe('accepts valid notifications', () => {
    it('answers OK with the id it was given and queues the notification once, severity made canonical', async () => {
      const before = await fetchAgentQueueCount(app.httpAddress);
      const response = await notify(client, {
        id: 'ok-1',
        message: note({ properties: { opni_severity: 'cRiTiCaL', team: 'storage' } }),
      });
      expect(response).toEqual({ id: 'ok-1', coalesced: false });
      const listing = await fetchAgentQueue(app.httpAddress);
      expect(listing.count).toBe(before + 1);
      expect(listing.entries.filter((entry) => entry.id === 'ok-1')).toEqual([
        expect.objectContaining({ id: 'ok-1', severity: 'Critical', occurrences: 1, attempts: 0 }),
      ]);
    });

    it('assigns a unique id when the id is empty', async () => {
      const first = await notify(client, { id: '', message: note() });
      const second = await notify(client, { id: '', message: note() });
      expect(first.id).not.toBe('');
      expect(second.id).not.toBe('');
      expect(first.id).not.toBe(second.id);
      const ids = (await fetchAgentQueue(app.httpAddress)).entries.map((entry) => entry.id);
      expect(ids).toEqual(expect.arrayContaining([first.id, second.id]));
    });

    it('defaults the severity to Info', async () => {
      await notify(client, { id: 'ok-default', message: note() });
      const entry = (await fetchAgentQueue(app.httpAddress)).entries.find((e) => e.id === 'ok-default');
      expect(entry).toMatchObject({ severity: 'Info' });
    });

    it('accepts the limits exactly: 1024-byte title, 65536-byte body, 64 properties, 256-byte key, 4096-byte value, 256-byte id', async () => {
      const id = 'e'.repeat(256);
      const response = await notify(client, {
        id,
        message: {
          title: 'a'.repeat(1024),
          body: 'b'.repeat(65536),
          properties: { ...properties(62), ['k'.repeat(256)]: 'v', team: 'v'.repeat(4096), opni_severity: 'Warning' },
        },
      });
      expect(response).toEqual({ id, coalesced: false });
    });
  });

  describe('is idempotent by id', () => {
    it('a retry with the same id answers OK with the same id and stores nothing more (first content wins)', async () => {
      const first = await notify(client, { id: 'retry-1', message: note({ properties: { opni_severity: 'Info' } }) });
      const countAfterFirst = await fetchAgentQueueCount(app.httpAddress);
      const retry = await notify(client, {
        id: 'retry-1',
        message: note({ title: 'changed', properties: { opni_severity: 'Critical' } }),
      });
      expect(first).toEqual({ id: 'retry-1', coalesced: false });
      expect(retry).toEqual({ id: 'retry-1', coalesced: false });
      const listing = await fetchAgentQueue(app.httpAddress);
      expect(listing.count).toBe(countAfterFirst);
      expect(listing.entries.filter((entry) => entry.id === 'retry-1')).toEqual([
        expect.objectContaining({ severity: 'Info', occurrences: 1 }),
      ]);
    });

    it('concurrent calls with the same id all answer OK and queue one entry', async () => {
      const before = await fetchAgentQueueCount(app.httpAddress);
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => notify(client, { id: 'retry-concurrent', message: note() })),
      );
      expect(responses).toEqual(Array.from({ length: 8 }, () => ({ id: 'retry-concurrent', coalesced: false })));
      const listing = await fetchAgentQueue(app.httpAddress);
      expect(listing.count).toBe(before + 1);
      expect(listing.entries.filter((entry) => entry.id === 'retry-concurrent')).toHaveLength(1);
    });
  });

  describe('coalesces notifications with the same opni_dedupe_key', () => {
    const key = 'disk-full/node-1';

    it('merges the second into the first: coalesced true, the first id, occurrences 2, the higher severity', async () => {
      const before = await fetchAgentQueueCount(app.httpAddress);
      const first = await notify(client, {
        id: 'dedupe-1',
        message: note({ properties: { opni_dedupe_key: key, opni_severity: 'Warning' } }),
      });
      const second = await notify(client, {
        id: 'dedupe-2',
        message: note({
          body: 'node-1: /var is 100% full',
          properties: { opni_dedupe_key: key, opni_severity: 'error' },
        }),
      });
      expect(first).toEqual({ id: 'dedupe-1', coalesced: false });
      expect(second).toEqual({ id: 'dedupe-1', coalesced: true });

      const listing = await fetchAgentQueue(app.httpAddress);
      expect(listing.count).toBe(before + 1);
      expect(listing.entries.filter((entry) => entry.dedupeKey === key)).toEqual([
        expect.objectContaining({ id: 'dedupe-1', severity: 'Error', occurrences: 2, dedupeKey: key }),
      ]);
      expect(listing.entries.map((entry) => entry.id)).not.toContain('dedupe-2');
      expect(drainOrderViolation(listing.entries)).toBeUndefined();
    });

    it('a retry of the merged call answers the same and does not count again', async () => {
      const retry = await notify(client, {
        id: 'dedupe-2',
        message: note({ properties: { opni_dedupe_key: key, opni_severity: 'Error' } }),
      });
      expect(retry).toEqual({ id: 'dedupe-1', coalesced: true });
      const listing = await fetchAgentQueue(app.httpAddress);
      expect(listing.entries.filter((entry) => entry.dedupeKey === key)).toEqual([
        expect.objectContaining({ id: 'dedupe-1', occurrences: 2 }),
      ]);
    });

    it('keeps the higher severity when a less important one merges, and counts merges in /metrics', async () => {
      const third = await notify(client, {
        id: 'dedupe-3',
        message: note({ properties: { opni_dedupe_key: key, opni_severity: 'Info' } }),
      });
      expect(third).toEqual({ id: 'dedupe-1', coalesced: true });
      const entry = (await fetchAgentQueue(app.httpAddress)).entries.find((e) => e.dedupeKey === key);
      expect(entry).toMatchObject({ id: 'dedupe-1', severity: 'Error', occurrences: 3 });
      const metrics = await scrapeMetrics(app.httpAddress);
      expect(metrics.value('agent_queue_coalesced_total', { severity: 'Error' })).toBe(2);
    });

    it('does not merge different keys', async () => {
      const response = await notify(client, {
        id: 'dedupe-other',
        message: note({ properties: { opni_dedupe_key: 'disk-full/node-2' } }),
      });
      expect(response).toEqual({ id: 'dedupe-other', coalesced: false });
    });
  });

  it('lists the queue in drain order with count equal to the entries', async () => {
    const listing = await fetchAgentQueue(app.httpAddress);
    expect(listing.count).toBe(listing.entries.length);
    expect(drainOrderViolation(listing.entries)).toBeUndefined();
    expect(listing.entries[0]).toMatchObject({ id: 'ok-1', severity: 'Critical' });
  });

  it('shows in /metrics how the accepted notifications were committed and fsynced', async () => {
    const listing = await fetchAgentQueue(app.httpAddress);
    const metrics = await scrapeMetrics(app.httpAddress);
    const commits = metrics.value('agent_queue_commits_total')!;
    // Every queued entry was inserted once; merges and aliases are changes too.
    expect(metrics.value('agent_queue_commit_writes_total')).toBeGreaterThanOrEqual(listing.count);
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(metrics.value('agent_queue_commit_seconds_total')).toBeGreaterThan(0);
    // fsync durability (the default): at least one fdatasync, never more than one per transaction.
    expect(metrics.value('agent_queue_fsyncs_total')).toBeGreaterThanOrEqual(1);
    expect(metrics.value('agent_queue_fsyncs_total')).toBeLessThanOrEqual(commits);
  });
});

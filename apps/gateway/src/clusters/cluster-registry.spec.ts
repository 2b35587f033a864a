import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError } from '@app/runtime';
import { captureNestLogs } from '@app/testing';
import { ClusterRegistry } from './cluster-registry.js';
import { SqliteClusterStore } from './sqlite-cluster-store.js';

const logged = captureNestLogs();

describe('ClusterRegistry (real SQLite store)', () => {
  let dir: string;
  let store: SqliteClusterStore;
  let registry: ClusterRegistry;
  let now = Date.parse('2026-11-29T08:00:00Z');
  const clock = { now: () => now };
  const reopen = async () => {
    await store.close();
    store = new SqliteClusterStore(join(dir, 'clusters.db'));
    registry = new ClusterRegistry(store, clock);
  };

  beforeEach(() => {
    logged.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'clusters-'));
    store = new SqliteClusterStore(join(dir, 'clusters.db'));
    registry = new ClusterRegistry(store, clock);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a cluster on its first connection and keeps it, with the last connection, across a reopen', async () => {
    await registry.connected('c1', { address: '10.0.0.1:5000', agentVersion: '0.1.0' });
    now += 60_000;
    await registry.connected('c1', { address: '10.0.0.2:6000', agentVersion: '0.2.0' });
    expect(registry.isConnected('c1')).toBe(true);
    expect(logged.filter((line) => (line.fields as { event?: string }).event === 'cluster-registered')).toHaveLength(1);
    await reopen();
    expect(registry.isConnected('c1')).toBe(false); // live state is not persisted
    expect(await registry.get('c1')).toEqual({
      id: 'c1',
      labels: {},
      capabilities: [],
      firstSeenAt: new Date('2026-11-29T08:00:00Z'),
      lastConnectedAt: new Date('2026-11-29T08:01:00Z'),
      lastAddress: '10.0.0.2:6000',
      agentVersion: '0.2.0',
    });
  });

  it('adds, marks and removes capabilities; an unknown cluster is NotFoundError', async () => {
    await registry.connected('c1', { address: 'a', agentVersion: 'v' });
    await registry.addCapability('c1', 'alerting');
    await registry.addCapability('c1', 'alerting'); // idempotent
    const at = new Date('2026-11-29T09:00:00Z');
    await registry.setDeletionTimestamp('c1', 'alerting', at);
    await reopen();
    expect(await registry.capability('c1', 'alerting')).toEqual({ name: 'alerting', deletionTimestamp: at });
    await registry.setDeletionTimestamp('c1', 'alerting', undefined);
    expect(await registry.capability('c1', 'alerting')).toEqual({ name: 'alerting' });
    await registry.removeCapability('c1', 'alerting');
    expect(await registry.capability('c1', 'alerting')).toBeUndefined();
    await expect(registry.capability('nowhere', 'alerting')).rejects.toThrow(NotFoundError);
    await expect(registry.addCapability('nowhere', 'alerting')).rejects.toThrow(NotFoundError);
  });

  it('applies concurrent changes to one cluster one after the other, losing none', async () => {
    await registry.connected('c1', { address: 'a', agentVersion: 'v' });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => registry.addCapability('c1', name)));
    expect((await registry.get('c1')).capabilities.map((c) => c.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives a node configuration the next revision only when it changes, and keeps it across a reopen', async () => {
    expect(await registry.nodeConfig('c1', 'alerting')).toEqual({ enabled: false, revision: 0n, spec: {} });
    const enabled = await registry.updateNodeConfig('c1', 'alerting', (c) => ({ enabled: true, spec: c.spec }));
    expect(enabled).toEqual({ enabled: true, revision: 1n, spec: {} });
    const same = await registry.updateNodeConfig('c1', 'alerting', (c) => ({ enabled: true, spec: c.spec }));
    expect(same.revision).toBe(1n);
    await registry.updateNodeConfig('c1', 'alerting', () => ({ enabled: false, spec: { purgeQueueRevision: 2n } }));
    await reopen();
    expect(registry.cachedNodeConfig('c1', 'alerting')).toBeUndefined();
    expect(await registry.nodeConfig('c1', 'alerting')).toEqual({
      enabled: false,
      revision: 2n,
      spec: { purgeQueueRevision: 2n },
    });
    expect(registry.cachedNodeConfig('c1', 'alerting')?.revision).toBe(2n);
  });

  it('records the last sync per (cluster, capability)', async () => {
    expect(await registry.nodeStatus('c1', 'alerting')).toBeUndefined();
    const status = { enabled: true, lastSync: new Date(now), conditions: ['Backend Disabled'], lastRevision: 3n };
    await registry.recordSync('c1', 'alerting', status);
    await reopen();
    expect(await registry.nodeStatus('c1', 'alerting')).toEqual(status);
  });

  it('keeps health only while the cluster is connected', async () => {
    const health = { timestamp: new Date(now), ready: true, conditions: [], annotations: {} };
    registry.setHealth('c1', health); // not connected: ignored
    expect(registry.health('c1')).toBeUndefined();
    await registry.connected('c1', { address: 'a', agentVersion: 'v' });
    registry.setHealth('c1', health);
    expect(registry.health('c1')).toEqual(health);
    registry.disconnected('c1');
    expect(registry.health('c1')).toBeUndefined();
  });
});

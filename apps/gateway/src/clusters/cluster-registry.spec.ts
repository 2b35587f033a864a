import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AlreadyExistsError, NotFoundError } from '@app/runtime';
import { captureNestLogs } from '@app/testing';
import { ClusterRegistry } from './cluster-registry.js';
import { SqliteClusterStore } from '../storage/sqlite/sqlite-cluster-store.js';

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

  const KEY = Buffer.alloc(32, 9);

  it('registers a cluster when it joins, with its key and labels; a second join of the id is AlreadyExistsError', async () => {
    await registry.join('c1', KEY, { env: 'prod' });
    await expect(registry.join('c1', Buffer.alloc(32, 1), {})).rejects.toThrow(AlreadyExistsError);
    expect(logged.filter((line) => (line.fields as { event?: string }).event === 'cluster-joined')).toHaveLength(1);
    await reopen();
    expect(await registry.get('c1')).toEqual({
      id: 'c1',
      labels: { env: 'prod' },
      capabilities: [],
      joinedAt: new Date('2026-11-29T08:00:00Z'),
    });
    expect(await registry.clusterKey('c1')).toEqual(KEY);
    expect(await registry.clusterKey('c2')).toBeUndefined();
  });

  it('records the last connection of a joined cluster, never of an unknown one', async () => {
    await expect(registry.connected('c1', { address: 'a', agentVersion: 'v' })).rejects.toThrow(NotFoundError);
    await registry.join('c1', KEY, {});
    now += 60_000;
    await registry.connected('c1', { address: '10.0.0.2:6000', agentVersion: '0.2.0' });
    expect(registry.isConnected('c1')).toBe(true);
    await reopen();
    expect(registry.isConnected('c1')).toBe(false); // live state is not persisted
    expect(await registry.get('c1')).toMatchObject({
      lastConnectedAt: new Date(now),
      lastAddress: '10.0.0.2:6000',
      agentVersion: '0.2.0',
    });
  });

  it('deletes a cluster with its key and node state; it may join again', async () => {
    await registry.join('c1', KEY, {});
    await registry.updateNodeConfig('c1', 'alerting', () => ({ enabled: true, spec: {} }));
    await registry.recordSync('c1', 'alerting', { enabled: true, conditions: [], lastRevision: { revision: 1n } });
    await registry.delete('c1');
    await expect(registry.get('c1')).rejects.toThrow(NotFoundError);
    expect(await registry.clusterKey('c1')).toBeUndefined();
    expect(await registry.nodeStatus('c1', 'alerting')).toBeUndefined();
    expect((await registry.nodeConfig('c1', 'alerting')).enabled).toBe(false);
    await expect(registry.delete('c1')).rejects.toThrow(NotFoundError);
    await registry.join('c1', KEY, {});
  });

  it('adds, marks and removes capabilities; an unknown cluster is NotFoundError', async () => {
    await registry.join('c1', KEY, {});
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
    await registry.join('c1', KEY, {});
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => registry.addCapability('c1', name)));
    expect((await registry.get('c1')).capabilities.map((c) => c.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives a node configuration the next revision only when it changes, and keeps it across a reopen', async () => {
    expect(await registry.nodeConfig('c1', 'alerting')).toEqual({ enabled: false, revision: 0n, spec: {} });
    const enabled = await registry.updateNodeConfig('c1', 'alerting', (c) => ({ enabled: true, spec: c.spec }));
    expect(enabled).toEqual({ enabled: true, revision: 1n, revisedAt: new Date(now), spec: {} });
    now += 1000;
    const same = await registry.updateNodeConfig('c1', 'alerting', (c) => ({ enabled: true, spec: c.spec }));
    expect(same).toEqual(enabled);
    await registry.updateNodeConfig('c1', 'alerting', () => ({ enabled: false, spec: { purgeQueueRevision: 2n } }));
    await reopen();
    expect(registry.cachedNodeConfig('c1', 'alerting')).toBeUndefined();
    expect(await registry.nodeConfig('c1', 'alerting')).toEqual({
      enabled: false,
      revision: 2n,
      revisedAt: new Date(now),
      spec: { purgeQueueRevision: 2n },
    });
    expect(registry.cachedNodeConfig('c1', 'alerting')?.revision).toBe(2n);
  });

  it("shares a store with another gateway: neither loses the other's changes, a stale cached configuration is read again", async () => {
    const otherStore = new SqliteClusterStore(join(dir, 'clusters.db'));
    const other = new ClusterRegistry(otherStore, clock);
    await registry.join('c1', KEY, {});
    await Promise.all(['a', 'b', 'c'].map((name, i) => [registry, other][i % 2].addCapability('c1', name)));
    expect((await registry.get('c1')).capabilities.map((c) => c.name).sort()).toEqual(['a', 'b', 'c']);

    const spec = (c: { spec: Record<string, unknown> }, by: string) => ({
      enabled: true,
      spec: { ...c.spec, [by]: true },
    });
    await registry.updateNodeConfig('c1', 'alerting', (c) => spec(c, 'first'));
    await other.updateNodeConfig('c1', 'alerting', (c) => spec(c, 'other'));
    // `registry` still caches revision 1: its write over 1 is refused, it reads 2 and writes 3 over it.
    const third = await registry.updateNodeConfig('c1', 'alerting', (c) => spec(c, 'third'));
    await otherStore.close();

    expect(third).toMatchObject({ revision: 3n, spec: { first: true, other: true, third: true } });
    expect(await store.nodeConfig('c1', 'alerting')).toEqual(third);
  });

  it('on stores shared by replicas, reads every node configuration from the store: what another wrote is seen at once', async () => {
    const otherStore = new SqliteClusterStore(join(dir, 'clusters.db'));
    const [here, there] = [new ClusterRegistry(store, clock, true), new ClusterRegistry(otherStore, clock, true)];
    expect((await here.nodeConfig('c1', 'alerting')).enabled).toBe(false); // the agent's first sync, here
    await there.updateNodeConfig('c1', 'alerting', () => ({ enabled: true, spec: {} })); // installed there
    expect(here.cachedNodeConfig('c1', 'alerting')).toBeUndefined();
    expect(await here.nodeConfig('c1', 'alerting')).toMatchObject({ enabled: true, revision: 1n });
    await otherStore.close();
  });

  it('counts a cluster connected once its record names the connection; a disconnection meanwhile wins', async () => {
    await registry.join('c1', KEY, {});
    const details = { address: '127.0.0.1:5000', agentVersion: '9.9.9' };
    const recording = registry.connected('c1', details);
    expect(registry.isConnected('c1')).toBe(false); // the record still names the last connection
    await recording;
    expect(registry.isConnected('c1')).toBe(true);
    expect(await registry.get('c1')).toMatchObject({ agentVersion: '9.9.9', lastAddress: '127.0.0.1:5000' });

    registry.disconnected('c1');
    const ended = registry.connected('c1', details);
    registry.disconnected('c1'); // the session ended before its connection was recorded
    await ended;
    expect(registry.isConnected('c1')).toBe(false);
  });

  it('records the last sync per (cluster, capability)', async () => {
    expect(await registry.nodeStatus('c1', 'alerting')).toBeUndefined();
    const status = {
      enabled: true,
      lastSync: new Date(now),
      conditions: ['Backend Disabled'],
      lastRevision: { revision: 3n, timestamp: new Date(now - 1000) },
    };
    await registry.recordSync('c1', 'alerting', status);
    await reopen();
    expect(await registry.nodeStatus('c1', 'alerting')).toEqual(status);
  });

  it('reads a sync recorded before lastRevision was a core.Revision as one', async () => {
    await registry.recordSync('c1', 'alerting', { enabled: true, conditions: [], lastRevision: { revision: 1n } });
    await store.close();
    const db = new Database(join(dir, 'clusters.db'));
    const legacy = '{"enabled":true,"lastSync":{"$date":1764403200000},"conditions":[],"lastRevision":{"$bigint":"7"}}';
    db.prepare('UPDATE node_status SET record = ?').run(legacy);
    db.close();
    await reopen();
    expect(await registry.nodeStatus('c1', 'alerting')).toEqual({
      enabled: true,
      lastSync: new Date(1764403200000),
      conditions: [],
      lastRevision: { revision: 7n },
    });
  });

  it('keeps health only while the cluster is connected', async () => {
    const health = { timestamp: new Date(now), ready: true, conditions: [], annotations: {} };
    registry.setHealth('c1', health); // not connected: ignored
    expect(registry.health('c1')).toBeUndefined();
    await registry.join('c1', KEY, {});
    await registry.connected('c1', { address: 'a', agentVersion: 'v' });
    registry.setHealth('c1', health);
    expect(registry.health('c1')).toEqual(health);
    registry.disconnected('c1');
    expect(registry.health('c1')).toBeUndefined();
  });
});

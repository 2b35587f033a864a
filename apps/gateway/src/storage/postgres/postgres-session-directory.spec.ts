import { status as GrpcStatus } from '@grpc/grpc-js';
import { UnavailableError } from '@app/runtime';
import { waitFor } from '@app/testing';
import { REPLACED, type HeldSessions, type NodeCall } from '../../sessions/session-directory.js';
import { useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresSessionDirectory, type PostgresSessionDirectoryOptions } from './postgres-session-directory.js';

const database = useMigratedDatabase();

/** The sessions one replica holds, as AgentNodes and AgentSessions serve them: each call answered by `answer`. */
class ReplicaSessions implements HeldSessions {
  readonly calls: { clusterId: string; call: NodeCall }[] = [];
  readonly closed: { clusterId: string; reason: string; code: GrpcStatus }[] = [];
  constructor(private readonly respond: (clusterId: string, call: NodeCall) => Promise<string>) {}
  answer(clusterId: string, call: NodeCall): Promise<string> {
    this.calls.push({ clusterId, call });
    return this.respond(clusterId, call);
  }
  close(clusterId: string, reason: string, code: GrpcStatus): void {
    this.closed.push({ clusterId, reason, code });
  }
}

const started: PostgresSessionDirectory[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((directory) => directory.stop()));
});

/** A gateway replica: its own pool, directory and held sessions, answering `respond`. */
async function replica(
  name: string,
  respond: (clusterId: string, call: NodeCall) => Promise<string> = async (clusterId) => `${name} holds ${clusterId}`,
  options: PostgresSessionDirectoryOptions = {},
) {
  const sql = database.replicaPool();
  const directory = new PostgresSessionDirectory(sql, `${name}-${Math.random().toString(16).slice(2)}`, {
    replyTimeoutMs: 1_000,
    ...options,
  });
  await directory.start();
  started.push(directory);
  const sessions = new ReplicaSessions(respond);
  directory.serve(sessions);
  return { sql, directory, sessions };
}

beforeEach(async () => {
  await database.replicaPool()`TRUNCATE agent_sessions, gateway_replicas`;
});

describe('PostgresSessionDirectory across replicas', () => {
  it("routes a call made on replica B to the session replica A holds, and returns A's answer", async () => {
    const a = await replica('a');
    const b = await replica('b');
    await a.directory.claim('c1');

    expect(await b.directory.ownerOf('c1')).toBe(a.directory.instance);
    expect(await b.directory.heldElsewhere()).toEqual(new Set(['c1']));
    expect(await a.directory.heldElsewhere()).toEqual(new Set());
    expect(await b.directory.call('c1', { kind: 'syncNow', capabilityNames: ['alerting'] })).toBe('a holds c1');
    expect(a.sessions.calls).toEqual([{ clusterId: 'c1', call: { kind: 'syncNow', capabilityNames: ['alerting'] } }]);
  });

  it("passes the owner's failure on: an UnavailableError stays one, with its message", async () => {
    const a = await replica('a', async (clusterId) => {
      throw new UnavailableError(`GetHealth on the agent of cluster ${clusterId} failed: deadline exceeded`);
    });
    const b = await replica('b');
    await a.directory.claim('c1');

    const failed = b.directory.call('c1', { kind: 'getHealth' });
    await expect(failed).rejects.toBeInstanceOf(UnavailableError);
    await expect(failed).rejects.toThrow('GetHealth on the agent of cluster c1 failed: deadline exceeded');
  });

  it('is an UnavailableError at once when no replica holds the session (never held, or released)', async () => {
    const a = await replica('a');
    const b = await replica('b', undefined, { replyTimeoutMs: 5_000 });
    /** How long a call to c1 on B took to fail with `expected`: no reply is awaited. */
    const failingCall = async (expected: Error) => {
      const began = Date.now();
      await expect(b.directory.call('c1', { kind: 'getHealth' })).rejects.toThrow(expected);
      return Date.now() - began;
    };
    const notConnected = new UnavailableError('the agent of cluster c1 is not connected');
    expect(await failingCall(notConnected)).toBeLessThan(2_000);

    await a.directory.claim('c1');
    await a.directory.release('c1');
    expect(await b.directory.ownerOf('c1')).toBeUndefined();
    expect(await failingCall(notConnected)).toBeLessThan(2_000);
  });

  it('a dead owner: no answer is an UnavailableError after the timeout; once its heartbeat is old, at once', async () => {
    const a = await replica('a', undefined, { heartbeatMs: 200 });
    const b = await replica('b', undefined, { replyTimeoutMs: 700, goneAfterMs: 3_000 });
    await a.directory.claim('c1');
    await a.sql.end(); // the process died: no listener, no more heartbeats, its rows stay

    const began = Date.now();
    await expect(b.directory.call('c1', { kind: 'getHealth' })).rejects.toThrow(/did not answer within 700 ms/);
    expect(Date.now() - began).toBeGreaterThanOrEqual(650);

    await waitFor(async () => (await b.directory.ownerOf('c1')) === undefined, { description: 'a to count as gone' });
    expect(await b.directory.heldElsewhere()).toEqual(new Set());
    // Not a timeout: no reply is awaited from a replica that is gone.
    await expect(b.directory.call('c1', { kind: 'getHealth' })).rejects.toThrow('is not connected');
  });

  it("a newer session on replica B replaces A's everywhere; A's late release leaves B's", async () => {
    const a = await replica('a');
    const b = await replica('b');
    await a.directory.claim('c1');
    await b.directory.claim('c1');

    await waitFor(() => a.sessions.closed.length > 0, { description: 'a to close its session' });
    expect(a.sessions.closed).toEqual([{ clusterId: 'c1', reason: REPLACED, code: GrpcStatus.ABORTED }]);
    await a.directory.release('c1'); // what AgentSessions does once the closed session ended
    expect(await a.directory.ownerOf('c1')).toBe(b.directory.instance);
    expect(await a.directory.call('c1', { kind: 'getHealth' })).toBe('b holds c1');

    // A claims it back (the agent reconnected there): B's session closes, A's new one stays open.
    await a.directory.claim('c1');
    await waitFor(() => b.sessions.closed.length > 0, { description: 'b to close its session' });
    expect(a.sessions.closed).toHaveLength(1);
    expect(await b.directory.ownerOf('c1')).toBe(a.directory.instance);
  });

  it("closes the session another replica holds (a cluster deleted on B ends A's session)", async () => {
    const a = await replica('a');
    const b = await replica('b');
    await a.directory.claim('c1');
    await b.directory.close('c1', 'cluster c1 was deleted', GrpcStatus.UNAUTHENTICATED);
    await b.directory.close('c2', 'cluster c2 was deleted', GrpcStatus.UNAUTHENTICATED); // held nowhere: nothing to do

    await waitFor(() => a.sessions.closed.length > 0, { description: 'a to close its session' });
    expect(a.sessions.closed).toEqual([
      { clusterId: 'c1', reason: 'cluster c1 was deleted', code: GrpcStatus.UNAUTHENTICATED },
    ]);
  });

  it('fails clearly when an answer is over the NOTIFY payload limit', async () => {
    const a = await replica('a', async () => 'x'.repeat(9_000));
    const b = await replica('b');
    await a.directory.claim('c1');
    await expect(b.directory.call('c1', { kind: 'getHealth' })).rejects.toThrow(
      /the reply message for replica b-\w+ is 9\d{3} bytes, over the 7999 a PostgreSQL NOTIFY carries/,
    );
  });

  it('a stopped replica removes its rows: its sessions end with it', async () => {
    const a = await replica('a');
    const b = await replica('b');
    await a.directory.claim('c1');
    await a.directory.stop();
    expect(await b.directory.ownerOf('c1')).toBeUndefined();
  });
});

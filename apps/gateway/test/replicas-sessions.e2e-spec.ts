import {
  authenticateSession,
  gatewayAdmin,
  joinArgs,
  joinRaw,
  scrapeMetrics,
  spawnApp,
  spawnGatewayReplicas,
  startPostgres,
  waitFor,
  type PostgresCluster,
  type SpawnedApp,
} from '@app/testing';

// Agent sessions across gateway replicas (issue 26): two built gateways on one
// PostgreSQL database; an agent holds its session with replica A, and what
// replica B's admin API asks of it (live health, SyncNow, deleting its
// cluster) reaches it through A; a newer session of a cluster on B replaces
// the one on A.

const ADMIN_TOKEN = 'replicas-sessions-admin-token';

describe('agent sessions across gateway replicas (PostgreSQL)', () => {
  let database: PostgresCluster;
  let a: SpawnedApp;
  let b: SpawnedApp;
  let agent: SpawnedApp;
  beforeAll(async () => {
    database = await startPostgres();
    [a, b] = await spawnGatewayReplicas(2, await database.createDatabase(), {
      env: { GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    agent = await spawnApp('agent', { args: [...(await joinArgs(a, 'c1')), '--reconnect-max-delay-ms', '200'] });
    await waitFor(() => agent.logs.some((line) => line.event === 'gateway-connected'), {
      description: 'the agent to connect to replica A',
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([agent, a, b].filter(Boolean).map((app) => app.stop('SIGKILL')));
    await database?.stop();
  });

  it("replica B's live health and sync reach the agent whose session replica A holds", async () => {
    expect(a.gateway?.pin).toBe(b.gateway?.pin);
    await waitFor(() => a.logs.some((line) => line.event === 'agent-connected' && line.cluster === 'c1'), {
      description: 'replica A to hold the session',
    });
    expect(b.logs.some((line) => line.event === 'agent-connected')).toBe(false);
    // Connected as far as every replica can tell (once replica A's claim is recorded).
    await waitFor(
      async () =>
        (await gatewayAdmin<{ connected: boolean }>(b.httpAddress, 'GET', '/api/v1/clusters/c1')).body.connected,
      { description: 'replica B to see the cluster connected' },
    );

    const health = await gatewayAdmin<{ ready: boolean; annotations: Record<string, string> }>(
      b.httpAddress,
      'GET',
      '/api/v1/clusters/c1/health?live=true',
    );
    expect(health.status).toBe(200);
    expect(health.body.annotations['gateway.state']).toBe('connected'); // the agent's own answer
    expect(await gatewayAdmin(b.httpAddress, 'POST', '/api/v1/clusters/c1/sync')).toEqual({
      status: 200,
      body: { synced: true },
    });
  });

  it('a cluster no replica holds a session of is unavailable at once', async () => {
    await joinRaw(a, 'idle');
    const began = Date.now();
    const sync = await gatewayAdmin<{ message: string }>(b.httpAddress, 'POST', '/api/v1/clusters/idle/sync');
    expect(sync.status).toBe(503);
    expect(JSON.stringify(sync.body)).toContain('the agent of cluster idle is not connected');
    expect(Date.now() - began).toBeLessThan(2_000);
  });

  it("a newer session of a cluster on replica B replaces replica A's", async () => {
    const key = await joinRaw(a, 'c2');
    const onA = await authenticateSession(a, 'c2', key);
    expect((await onA.raw.next()).$case).toBe('welcome');
    const onB = await authenticateSession(b, 'c2', key, b.grpcAddress);
    try {
      expect((await onB.raw.next()).$case).toBe('welcome');
      expect(await onA.raw.ended(10_000)).toEqual({
        code: 'ABORTED',
        details: 'replaced by a newer session of the same cluster',
      });
      expect(onB.raw.status).toBeUndefined();
      const replaced = { event: 'replaced' };
      expect((await scrapeMetrics(a.httpAddress)).value('gateway_agent_session_events_total', replaced)).toBe(1);
    } finally {
      onA.raw.close();
      onB.raw.close();
    }
  });

  it('deleting the cluster on replica B closes its session on replica A: the agent stops and says why', async () => {
    expect((await gatewayAdmin(b.httpAddress, 'DELETE', '/api/v1/clusters/c1')).status).toBe(204);
    const refused = await waitFor(() => agent.logs.find((line) => line.event === 'gateway-refused'), {
      description: 'the agent to stop',
    });
    expect(refused.msg).toMatch(/cluster c1 was deleted at the gateway; join again with a new token; not retrying/);
    await waitFor(() => a.logs.some((line) => line.event === 'agent-disconnected' && line.cluster === 'c1'), {
      description: 'replica A to end the session',
    });
  });
});

import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { TokenView } from '@app/admin-api';
import { freshNonce, generateExchangeKeyPair, proofMatches, sessionProof } from '@app/cluster-auth';
import { alerting, serviceDefinitions, session } from '@app/proto';
import { createUnaryClient } from '@app/runtime';
import {
  adminHeaders,
  authenticateSession,
  createBootstrapToken,
  joinRaw,
  RawSession,
  fetchGatewayNotifications,
  gatewayAdmin,
  gatewayClient,
  gatewayTls,
  joinArgs,
  scrapeMetrics,
  spawnApp,
  waitFor,
  type SpawnedApp,
  spawnedGatewayStorage,
} from '@app/testing';

// Acceptance of agent authentication and transport security (issue 7), with
// real gateway and agent processes: TLS on the gateway's gRPC port, joins with
// bootstrap tokens, sessions that prove the cluster key, admin bearer tokens.

async function tokenState(gateway: SpawnedApp, id: string): Promise<TokenView> {
  const listed = await gatewayAdmin<{ tokens: TokenView[] }>(gateway.httpAddress, 'GET', '/api/v1/tokens');
  return listed.body.tokens.find((t) => t.id === id)!;
}

async function clusterIds(gateway: SpawnedApp): Promise<string[]> {
  const listed = await gatewayAdmin<{ clusters: { id: string }[] }>(gateway.httpAddress, 'GET', '/api/v1/clusters');
  return listed.body.clusters.map((c) => c.id);
}

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 'OK', details: '' }),
    (error: grpc.ServiceError) => ({ code: grpc.status[error.code], details: error.details }),
  );

describe('security: TLS, joins, authenticated sessions, admin access', () => {
  const started: SpawnedApp[] = [];
  const start = async (...args: Parameters<typeof spawnApp>) => {
    const app = await spawnApp(...args);
    started.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.stop('SIGKILL')));
  });

  it('refuses joins with a missing, unknown, expired, revoked or used-up token, or a taken cluster id, changing nothing', async () => {
    const gateway = await start('gateway');
    const bootstrap = gatewayClient(gateway, 'bootstrap.v1.BootstrapService', { admin: false });
    const key = () => generateExchangeKeyPair().publicKey;
    try {
      const join = (token: string, clusterId: string, agentPublicKey = key()) =>
        statusOf(bootstrap.join({ token, clusterId, agentPublicKey }));

      expect(await join('', 'c1')).toEqual({
        code: 'UNAUTHENTICATED',
        details: 'a bootstrap token is required to join',
      });
      expect(await join('not-a-token', 'c1')).toEqual({
        code: 'UNAUTHENTICATED',
        details: 'the bootstrap token is malformed (expected "<id>.<secret>")',
      });
      expect(await join(`0123456789ab.${'A'.repeat(43)}`, 'c1')).toEqual({
        code: 'UNAUTHENTICATED',
        details: 'bootstrap token 0123456789ab is not known',
      });
      const real = await createBootstrapToken(gateway, { maxUsages: 2 });
      const [id] = real.token.split('.');
      expect(await join(`${id}.${'B'.repeat(43)}`, 'c1')).toEqual({
        code: 'UNAUTHENTICATED',
        details: `bootstrap token ${id} is not known`,
      });

      const expiring = await createBootstrapToken(gateway, { ttl: '1ms' });
      await waitFor(async () => (await tokenState(gateway, expiring.id)).state === 'expired', {
        description: 'the token to expire',
      });
      expect(await join(expiring.token, 'c1')).toMatchObject({
        code: 'UNAUTHENTICATED',
        details: expect.stringMatching(/expired at/),
      });

      const revoked = await createBootstrapToken(gateway);
      expect((await gatewayAdmin(gateway.httpAddress, 'DELETE', `/api/v1/tokens/${revoked.id}`)).status).toBe(200);
      expect(await join(revoked.token, 'c1')).toEqual({
        code: 'UNAUTHENTICATED',
        details: `bootstrap token ${revoked.id} was revoked`,
      });

      expect(await join(real.token, 'c1', Buffer.alloc(5))).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await join(real.token, 'bad id!')).toMatchObject({ code: 'INVALID_ARGUMENT' });
      // Nothing so far was registered or counted.
      expect(await clusterIds(gateway)).toEqual([]);
      expect((await tokenState(gateway, real.id)).usages).toBe(0);

      expect((await join(real.token, 'c1')).code).toBe('OK');
      expect(await join(real.token, 'c1')).toEqual({
        code: 'ALREADY_EXISTS',
        details: 'cluster c1 has already joined; delete it at the gateway to join again',
      });
      expect((await tokenState(gateway, real.id)).usages).toBe(1); // the refused join gave its use back
      expect((await join(real.token, 'c2')).code).toBe('OK');
      expect(await join(real.token, 'c3')).toEqual({
        code: 'UNAUTHENTICATED',
        details: `bootstrap token ${real.id} is used up (2 of 2 joins)`,
      });
      expect(await clusterIds(gateway)).toEqual(['c1', 'c2']);
      expect(await tokenState(gateway, real.id)).toMatchObject({ usages: 2, state: 'used-up' });
    } finally {
      bootstrap.close();
    }
  });

  it("authenticates sessions by the cluster key: a wrong MAC, another cluster's id, or a replayed exchange is UNAUTHENTICATED", async () => {
    const gateway = await start('gateway');
    const keyA = await joinRaw(gateway, 'a');
    await joinRaw(gateway, 'b');

    // The real exchange: the gateway proves it holds the key too.
    const good = await authenticateSession(gateway, 'a', keyA);
    const welcome = await good.raw.next();
    expect(welcome.$case).toBe('welcome');
    const gatewayMac = (welcome as { value: session.Welcome }).value.mac;
    expect(proofMatches(sessionProof(keyA, 'gateway', 'a', good.hello.nonce, good.gatewayNonce), gatewayMac)).toBe(
      true,
    );
    good.raw.close();

    // Replaying what the agent sent on a new connection: the gateway's challenge is new, the proof is stale.
    const replay = new RawSession(gateway);
    replay.send({ $case: 'hello', value: good.hello });
    expect((await replay.next()).$case).toBe('challenge');
    replay.send({ $case: 'proof', value: good.proof });
    expect(await replay.ended()).toEqual({
      code: 'UNAUTHENTICATED',
      details: 'the session proof for cluster a does not match its key',
    });

    // A's key cannot speak for B.
    const asB = await authenticateSession(gateway, 'b', keyA);
    expect(await asB.raw.ended()).toMatchObject({ code: 'UNAUTHENTICATED' });

    const wrong = await authenticateSession(gateway, 'a', Buffer.alloc(32, 1));
    expect(await wrong.raw.ended()).toMatchObject({ code: 'UNAUTHENTICATED' });

    const stranger = new RawSession(gateway);
    stranger.send({ $case: 'hello', value: { clusterId: 'never-joined', agentVersion: 't', nonce: freshNonce() } });
    expect(await stranger.ended()).toEqual({
      code: 'UNAUTHENTICATED',
      details: 'cluster never-joined has not joined this gateway (or was deleted): join with a bootstrap token',
    });
    // Only the genuine session ever counted as opened.
    const metrics = await scrapeMetrics(gateway.httpAddress);
    expect(metrics.value('gateway_agent_session_events_total', { event: 'opened' })).toBe(1);
  });

  it('keeps clusters apart: an agent of A cannot write, resolve or read anything of B, whatever ids it sends', async () => {
    const gateway = await start('gateway');
    const keyA = await joinRaw(gateway, 'a');
    const keyB = await joinRaw(gateway, 'b');
    for (const cluster of ['a', 'b']) {
      await gatewayAdmin(gateway.httpAddress, 'POST', `/api/v1/clusters/${cluster}/capabilities/alerting/install`, {
        ignoreWarnings: true,
      });
    }
    /** A unary call over the raw session; its result frame. */
    const call = async (raw: RawSession, id: bigint, method: string, request: Buffer): Promise<session.RpcResult> => {
      raw.send({ $case: 'call', value: { id, method, request, metadata: {} } });
      for (;;) {
        const frame = await raw.next();
        const results =
          frame.$case === 'result'
            ? [frame.value]
            : frame.$case === 'frames'
              ? frame.value.frames.flatMap((f) => (f.frame?.$case === 'result' ? [f.frame.value] : []))
              : [];
        const result = results.find((r) => r.id === id);
        if (result) return result;
      }
    };
    const push = serviceDefinitions['alerting.PushNotificationService'].push;

    const b = await authenticateSession(gateway, 'b', keyB);
    expect((await b.raw.next()).$case).toBe('welcome');
    const fromB: alerting.Notification = { title: 'B', body: 'of b', properties: { opni_uuid: 'n1' } };
    expect((await call(b.raw, 1n, push.path, push.requestSerialize(fromB))).code).toBe(0);

    const a = await authenticateSession(gateway, 'a', keyA);
    expect((await a.raw.next()).$case).toBe('welcome');
    // Same id as B's, B's cluster in the payload: stored as A's own, B's untouched.
    const forged: alerting.Notification = {
      title: 'forged',
      body: 'by a',
      properties: { opni_uuid: 'n1', opni_clusterId: 'b' },
    };
    expect((await call(a.raw, 1n, push.path, push.requestSerialize(forged))).code).toBe(0);
    await waitFor(async () => (await fetchGatewayNotifications(gateway.httpAddress)).length === 2, {
      description: 'both pushes stored',
    });
    expect(await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'b' })).toEqual([
      expect.objectContaining({ id: 'n1', title: 'B', clusterId: 'b' }),
    ]);
    expect(await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'a' })).toEqual([
      expect.objectContaining({
        id: 'n1',
        title: 'forged',
        clusterId: 'a',
        properties: expect.objectContaining({ opni_clusterId: 'a' }),
      }),
    ]);
    // Resolve is the gateway's to call; reading is not offered on a session at all.
    const resolve = serviceDefinitions['alerting.PushNotificationService'].resolve;
    expect((await call(a.raw, 2n, resolve.path, resolve.requestSerialize({ id: 'n1' }))).code).toBe(
      grpc.status.FAILED_PRECONDITION,
    );
    const list = serviceDefinitions['alerting.NotificationQueryService'].list;
    expect(
      (
        await call(
          a.raw,
          3n,
          list.path,
          list.requestSerialize(alerting.ListNotificationsRequest.fromPartial({ clusterIds: ['b'], limit: 10 })),
        )
      ).code,
    ).toBe(grpc.status.UNIMPLEMENTED);
    // And the read APIs need the admin token, which an agent does not have.
    const query = createUnaryClient(
      'alerting.NotificationQueryService',
      gateway.grpcAddress,
      gatewayTls(gateway.gateway!),
    );
    try {
      expect(
        await statusOf(query.list(alerting.ListNotificationsRequest.fromPartial({ clusterIds: ['b'], limit: 10 }))),
      ).toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    } finally {
      query.close();
    }
    a.raw.close();
    b.raw.close();
  });

  it('an agent refuses a gateway whose key does not match its pin and sends it nothing', async () => {
    const gateway = await start('gateway');
    const other = await start('gateway');
    const { token, id } = await createBootstrapToken(gateway);
    // The token is real, the address is this gateway's, but the pin is the other gateway's.
    const agent = await start('agent', {
      args: [
        '--gateway-address',
        gateway.grpcAddress,
        '--cluster-id',
        'pinned',
        '--join-token',
        token,
        '--gateway-pin',
        other.gateway!.pin,
        '--reconnect-max-delay-ms',
        '200',
        '--log-level',
        'debug', // later attempts are logged at debug level
      ],
    });
    const refusal = await waitFor(() => agent.logs.find((line) => line.event === 'gateway-unreachable'), {
      description: 'the agent to give up on this attempt',
    });
    expect(String(refusal.reason)).toContain(`presented no certificate with the pinned key ${other.gateway!.pin}`);
    // A few more attempts, and still nothing reached the gateway's services.
    await waitFor(
      () =>
        agent.logs.filter((line) => line.event === 'gateway-unreachable' && String(line.reason).includes('pinned key'))
          .length >= 3,
      { description: 'more attempts, each refused for the pin' },
    );
    expect((await tokenState(gateway, id)).usages).toBe(0);
    expect(await clusterIds(gateway)).toEqual([]);
    expect(gateway.logs.filter((line) => line.event === 'session-refused' || line.event === 'cluster-joined')).toEqual(
      [],
    );
  });

  it('keeps keys and tokens in files only their owner can read', async () => {
    const gateway = await start('gateway');
    const agent = await start('agent', { args: await joinArgs(gateway, 'files') });
    await waitFor(() => agent.logs.some((line) => line.event === 'gateway-connected'), {
      description: 'the agent to join',
    });
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    expect({
      keyring: mode(join(agent.dataDir, 'keyring.json')),
      adminToken: mode(join(gateway.dataDir, 'admin-token')),
      caKey: mode(join(gateway.dataDir, 'tls', 'ca-key.pem')),
      serverKey: mode(join(gateway.dataDir, 'tls', 'server-key.pem')),
    }).toEqual({ keyring: '600', adminToken: '600', caKey: '600', serverKey: '600' });
    // On PostgreSQL the clusters and tokens are in the database, whose access is its own.
    if (spawnedGatewayStorage() === 'sqlite') expect(mode(join(gateway.dataDir, 'clusters.db'))).toBe('600');
    // Logged once, when created.
    expect(gateway.logs.filter((line) => line.event === 'admin-token-created')).toHaveLength(1);
  });

  it('requires the admin token on the admin HTTP API and gRPC services; probes and metrics stay open', async () => {
    const gateway = await start('gateway');
    for (const path of ['/api/v1/clusters', '/api/v1/notifications', '/api/v1/tokens', '/api/v1/receivers']) {
      const anonymous = await fetch(`http://${gateway.httpAddress}${path}`);
      expect([path, anonymous.status]).toEqual([path, 401]);
      const wrong = await fetch(`http://${gateway.httpAddress}${path}`, { headers: { authorization: 'Bearer nope' } });
      expect([path, wrong.status, await wrong.json()]).toEqual([
        path,
        401,
        { error: 'unauthenticated', message: 'the admin token is not valid' },
      ]);
    }
    const created = await fetch(`http://${gateway.httpAddress}/api/v1/tokens`, { method: 'POST' });
    expect(created.status).toBe(401);
    expect(
      (await gatewayAdmin<{ tokens: unknown[] }>(gateway.httpAddress, 'GET', '/api/v1/tokens')).body.tokens,
    ).toEqual([]);
    expect((await fetch(`http://${gateway.httpAddress}/healthz`)).status).toBe(200);
    expect((await fetch(`http://${gateway.httpAddress}/metrics`)).status).toBe(200);

    // Requests are logged, but never with the admin token: the header reads [redacted].
    const token = adminHeaders(gateway.httpAddress).authorization.replace(/^Bearer /, '');
    const requestLines = () =>
      gateway.logs.filter((line) => (line.req as { url?: string } | undefined)?.url === '/api/v1/tokens');
    await waitFor(() => requestLines().some((line) => (line.res as { statusCode?: number }).statusCode === 200), {
      description: 'the admitted GET /api/v1/tokens logged',
    });
    const admitted = requestLines().find((line) => (line.res as { statusCode?: number }).statusCode === 200)!;
    expect((admitted.req as { headers: Record<string, string> }).headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(requestLines())).not.toContain(token);

    const anonymous = gatewayClient(gateway, 'capability.Backend', { admin: false });
    const admin = gatewayClient(gateway, 'capability.Backend');
    try {
      expect(await statusOf(anonymous.info({}))).toEqual({
        code: 'UNAUTHENTICATED',
        details: 'the admin API needs an admin token: Authorization: Bearer <token>',
      });
      expect((await admin.info({})).name).toBe('alerting');
    } finally {
      anonymous.close();
      admin.close();
    }
  });

  it('closes the session of a deleted cluster with UNAUTHENTICATED; its agent stops retrying and says why', async () => {
    const gateway = await start('gateway');
    const agent = await start('agent', {
      args: [...(await joinArgs(gateway, 'doomed')), '--reconnect-max-delay-ms', '200'],
    });
    await waitFor(() => agent.logs.some((line) => line.event === 'gateway-connected'), {
      description: 'the agent to connect',
    });
    expect((await gatewayAdmin(gateway.httpAddress, 'DELETE', '/api/v1/clusters/doomed')).status).toBe(204);
    const refused = await waitFor(() => agent.logs.find((line) => line.event === 'gateway-refused'), {
      description: 'the agent to stop',
    });
    expect(refused.msg).toMatch(/cluster doomed was deleted at the gateway; join again with a new token; not retrying/);
    const health = createUnaryClient('control.Health', agent.grpcAddress);
    try {
      expect((await health.getHealth({})).annotations['gateway.state']).toBe('refused');
    } finally {
      health.close();
    }
    // No more attempts: several reconnect periods later, still the one session.
    const opened = gateway.logs.filter((line) => line.event === 'agent-connected').length;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // 5 reconnect periods: proving an absence takes waiting
    expect(gateway.logs.filter((line) => line.event === 'agent-connected').length).toBe(opened);
    expect(gateway.logs.filter((line) => line.event === 'session-refused')).toEqual([]);
    expect(await clusterIds(gateway)).toEqual([]);
  });
});

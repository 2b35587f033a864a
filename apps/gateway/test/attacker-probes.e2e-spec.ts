import * as grpc from '@grpc/grpc-js';
import type { TokenView } from '@app/admin-api';
import { freshNonce, generateExchangeKeyPair } from '@app/cluster-auth';
import {
  authenticateSession,
  createBootstrapToken,
  gatewayAdmin,
  gatewayClient,
  joinRaw,
  rawHttp,
  RawSession,
  scrapeMetrics,
  spawnApp,
  startTcpProxy,
  waitFor,
  type SpawnedApp,
  type TcpProxy,
} from '@app/testing';

// The probes of the security review (issue 21), as an attacker on the network
// would send them, against real gateway processes: other spellings of admin
// routes, a low-order key at Join, absurd durations, handshakes that never
// finish, floods of unauthenticated streams and joins, and a token in a
// query string. Each changed state on the code before the fix.

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 'OK', details: '' }),
    (error: grpc.ServiceError) => ({ code: grpc.status[error.code], details: error.details }),
  );

async function tokens(gateway: SpawnedApp): Promise<TokenView[]> {
  return (await gatewayAdmin<{ tokens: TokenView[] }>(gateway.httpAddress, 'GET', '/api/v1/tokens')).body.tokens;
}

async function clusterIds(gateway: SpawnedApp): Promise<string[]> {
  const listed = await gatewayAdmin<{ clusters: { id: string }[] }>(gateway.httpAddress, 'GET', '/api/v1/clusters');
  return listed.body.clusters.map((c) => c.id);
}

function send(gateway: SpawnedApp, method: string, path: string, body?: unknown) {
  return rawHttp(
    gateway.httpAddress,
    method,
    path,
    body === undefined ? {} : { 'content-type': 'application/json' },
    body === undefined ? undefined : JSON.stringify(body),
  );
}

describe('attacker probes: HTTP admin API', () => {
  let gateway: SpawnedApp;
  beforeAll(async () => {
    gateway = await spawnApp('gateway');
  });
  afterAll(() => gateway?.stop('SIGKILL'));

  it('reads and changes nothing through other spellings of the admin routes, without a token', async () => {
    const real = await createBootstrapToken(gateway);
    await joinRaw(gateway, 'victim');
    const before = { tokens: await tokens(gateway), clusters: await clusterIds(gateway) };

    const attempts: [string, string, unknown?][] = [
      ['GET', '/API/v1/tokens'],
      ['GET', '/Api/v1/notifications'],
      ['GET', '/api/V1/clusters'],
      ['GET', '/API/v1/notifications/stream'],
      ['POST', '/Api/v1/tokens', { ttl: '1h' }],
      ['POST', '/api/v1/tokens/', { ttl: '1h' }],
      ['POST', '//api/v1/tokens', { ttl: '1h' }],
      ['POST', '/api/./v1/tokens', { ttl: '1h' }],
      ['POST', '/%2Fapi/v1/tokens', { ttl: '1h' }],
      ['DELETE', `/API/v1/tokens/${real.id}`],
      ['DELETE', '/API/v1/clusters/victim'],
      ['DELETE', '/api/v1/clusters/victim/'],
      ['POST', '/API/v1/clusters/victim/capabilities/alerting/uninstall', { deleteStoredData: true }],
    ];
    const answers = [];
    for (const [method, path, body] of attempts) {
      const { status } = await send(gateway, method, path, body);
      answers.push(`${method} ${path} → ${status}`);
    }
    expect(answers).toEqual(attempts.map(([method, path]) => `${method} ${path} → 404`));
    // Nothing was created, revoked or deleted.
    expect({ tokens: await tokens(gateway), clusters: await clusterIds(gateway) }).toEqual(before);
  });

  it('refuses a token ttl beyond the documented maximum with 400 naming the field, and stores nothing', async () => {
    const before = await tokens(gateway);
    for (const ttl of ['99999999999999d', '3651d', `${'9'.repeat(400)}ms`]) {
      const answer = await gatewayAdmin<{ error: string; message: string }>(
        gateway.httpAddress,
        'POST',
        '/api/v1/tokens',
        { ttl },
      );
      expect([ttl, answer.status, answer.body.error, answer.body.message.split(':')[0]]).toEqual([
        ttl,
        400,
        'invalid-argument',
        'ttl',
      ]);
    }
    expect(await tokens(gateway)).toEqual(before);
    expect((await gatewayAdmin(gateway.httpAddress, 'POST', '/api/v1/tokens', { ttl: '3650d' })).status).toBe(201);
  });

  it('refuses an admin token in a query string and never logs it', async () => {
    const token = gateway.adminToken;
    const { status } = await rawHttp(gateway.httpAddress, 'GET', `/api/v1/tokens?admin_token=${token}`);
    expect(status).toBe(401);
    const { status: other } = await rawHttp(gateway.httpAddress, 'GET', `/api/v1/clusters?t=${token}&limit=1`);
    expect(other).toBe(401);
    const logged = await waitFor(
      () => {
        const lines = gateway.logs.filter((line) => String((line.req as { url?: string })?.url).includes('?t='));
        return lines.length > 0 ? lines : undefined;
      },
      { description: 'the refused requests to be logged' },
    );
    expect((logged[0].req as { url: string }).url).toBe('/api/v1/clusters?t=[redacted]&limit=1');
    expect(gateway.stdout()).not.toContain(token);
    expect(gateway.stderr()).not.toContain(token);
  });
});

describe('attacker probes: Join', () => {
  let gateway: SpawnedApp;
  beforeAll(async () => {
    gateway = await spawnApp('gateway');
  });
  afterAll(() => gateway?.stop('SIGKILL'));

  it('refuses public keys of small order with INVALID_ARGUMENT, before deriving, logging no error', async () => {
    const { token, id } = await createBootstrapToken(gateway);
    const bootstrap = gatewayClient(gateway, 'bootstrap.v1.BootstrapService', { admin: false });
    try {
      const one = Buffer.alloc(32);
      one[0] = 1;
      for (const agentPublicKey of [Buffer.alloc(32), one]) {
        expect(await statusOf(bootstrap.join({ token, clusterId: 'low-order', agentPublicKey }))).toEqual({
          code: 'INVALID_ARGUMENT',
          details: 'agentPublicKey: is a point of small order: no key can be derived from it',
        });
      }
      expect(await clusterIds(gateway)).toEqual([]);
      expect((await tokens(gateway)).find((t) => t.id === id)?.usages).toBe(0);
      // A real key still joins with the same token: the refusals spent nothing.
      const real = generateExchangeKeyPair().publicKey;
      expect((await statusOf(bootstrap.join({ token, clusterId: 'low-order', agentPublicKey: real }))).code).toBe('OK');
    } finally {
      bootstrap.close();
    }
    expect(gateway.logs.filter((line) => (line.level ?? 0) >= 50)).toEqual([]);
  });
});

describe('attacker probes: a handshake has a deadline', () => {
  let gateway: SpawnedApp;
  beforeAll(async () => {
    gateway = await spawnApp('gateway', { args: ['--handshake-timeout', '1s'] });
  });
  afterAll(() => gateway?.stop('SIGKILL'));

  it('closes a session that says Hello and never proves its key, and one that says nothing', async () => {
    const key = await joinRaw(gateway, 'slow');
    const helloOnly = new RawSession(gateway);
    helloOnly.send({ $case: 'hello', value: { clusterId: 'slow', agentVersion: 't', nonce: freshNonce() } });
    expect((await helloOnly.next()).$case).toBe('challenge');
    const silent = new RawSession(gateway);
    expect(await helloOnly.ended(10_000)).toEqual({
      code: 'DEADLINE_EXCEEDED',
      details: 'the session was not authenticated within 1000 ms',
    });
    expect((await silent.ended(10_000)).code).toBe('DEADLINE_EXCEEDED');
    helloOnly.close();
    silent.close();
    const metrics = await scrapeMetrics(gateway.httpAddress);
    expect(metrics.value('gateway_unauthenticated_refusals_total', { reason: 'handshake-timeout' })).toBe(2);
    expect(metrics.value('gateway_pending_handshakes')).toBe(0);
    // An agent that does prove its key in time is not cut off by the deadline.
    const genuine = await authenticateSession(gateway, 'slow', key);
    expect((await genuine.raw.next()).$case).toBe('welcome');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the deadline: proving an absence takes waiting
    expect(genuine.raw.status).toBeUndefined();
    genuine.raw.close();
  });
});

describe('attacker probes: unauthenticated streams and joins are bounded', () => {
  let gateway: SpawnedApp;
  /** The same gateway as seen from a second client host (127.0.0.2). */
  let secondHost: TcpProxy;
  beforeAll(async () => {
    gateway = await spawnApp('gateway', {
      args: [
        ...['--max-pending-handshakes', '3', '--max-pending-handshakes-per-address', '2'],
        ...['--max-joins-per-minute', '5', '--max-joins-per-minute-per-address', '3'],
      ],
    });
    secondHost = await startTcpProxy(gateway.grpcAddress, { sourceAddress: '127.0.0.2' });
  });
  afterAll(async () => {
    await secondHost?.close();
    await gateway?.stop('SIGKILL');
  });

  const refusals = async (reason: string) =>
    (await scrapeMetrics(gateway.httpAddress)).value('gateway_unauthenticated_refusals_total', { reason }) ?? 0;

  it('limits streams waiting to authenticate, per source address and in total', async () => {
    const key = await joinRaw(gateway, 'crowded'); // the first of this address's 3 joins a minute
    const held = [new RawSession(gateway), new RawSession(gateway)];
    for (const raw of held)
      raw.send({ $case: 'hello', value: { clusterId: 'crowded', agentVersion: 't', nonce: freshNonce() } });
    for (const raw of held) expect((await raw.next()).$case).toBe('challenge');

    const third = new RawSession(gateway);
    expect(await third.ended()).toEqual({
      code: 'RESOURCE_EXHAUSTED',
      details: 'too many sessions from 127.0.0.1 are authenticating (2); retry later',
    });
    // Another host still gets in, up to the total …
    const fromSecondHost = new RawSession(gateway, secondHost.address);
    fromSecondHost.send({ $case: 'hello', value: { clusterId: 'crowded', agentVersion: 't', nonce: freshNonce() } });
    expect((await fromSecondHost.next()).$case).toBe('challenge');
    // … and no further.
    const overTotal = new RawSession(gateway, secondHost.address);
    expect(await overTotal.ended()).toEqual({
      code: 'RESOURCE_EXHAUSTED',
      details: 'too many sessions are authenticating (3); retry later',
    });
    expect(await refusals('pending-handshakes-per-address')).toBe(1);
    expect(await refusals('pending-handshakes')).toBe(1);

    for (const raw of [...held, fromSecondHost, third, overTotal]) raw.close();
    await waitFor(async () => (await scrapeMetrics(gateway.httpAddress)).value('gateway_pending_handshakes') === 0, {
      description: 'the places to be given back',
    });
    const genuine = await authenticateSession(gateway, 'crowded', key);
    expect((await genuine.raw.next()).$case).toBe('welcome');
    genuine.raw.close();
  });

  it('limits join attempts per source address and in total, whatever they carry', async () => {
    // This address joined once above: two attempts left of its 3 a minute.
    const direct = gatewayClient(gateway, 'bootstrap.v1.BootstrapService', { admin: false });
    const second = gatewayClient({ ...gateway, grpcAddress: secondHost.address }, 'bootstrap.v1.BootstrapService', {
      admin: false,
    });
    const junk = { token: 'not-a-token', clusterId: 'x', agentPublicKey: Buffer.alloc(0) };
    try {
      expect((await statusOf(direct.join(junk))).code).toBe('INVALID_ARGUMENT');
      expect((await statusOf(direct.join(junk))).code).toBe('INVALID_ARGUMENT');
      expect(await statusOf(direct.join(junk))).toMatchObject({
        code: 'RESOURCE_EXHAUSTED',
        details: expect.stringMatching(/^too many join attempts from 127\.0\.0\.1 \(3 a minute\); retry in \d+ s$/),
      });
      // The total is 5: the second host has two before everyone is refused …
      expect((await statusOf(second.join(junk))).code).toBe('INVALID_ARGUMENT');
      expect((await statusOf(second.join(junk))).code).toBe('INVALID_ARGUMENT');
      // … refused before anything else is looked at: even a valid token does not get through now.
      const { token } = await createBootstrapToken(gateway);
      const key = generateExchangeKeyPair().publicKey;
      expect(await statusOf(second.join({ token, clusterId: 'late', agentPublicKey: key }))).toMatchObject({
        code: 'RESOURCE_EXHAUSTED',
        details: expect.stringMatching(/^too many join attempts \(5 a minute\); retry in \d+ s$/),
      });
      expect(await clusterIds(gateway)).not.toContain('late');
    } finally {
      direct.close();
      second.close();
    }
    expect(await refusals('joins-per-address')).toBe(1);
    expect(await refusals('joins')).toBe(1);
  });
});

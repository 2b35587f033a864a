import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { alerting } from '@app/proto';
import {
  AlertmanagerProcess,
  gatewayAdmin,
  scrapeMetrics,
  spawnApp,
  waitFor,
  webhookRouteConfig,
  type SpawnedApp,
} from '@app/testing';
import { openGatewayNotificationStore } from './fixtures/gateway-notification-store.js';
import type { AlertmanagerView } from '../src/receivers/alertmanager/alertmanager-view.js';

// Delivery policies of an Alertmanager target against real Alertmanagers: the
// bound on the rate while catching up, expiry of what outlived its lifetime,
// and credentials / TLS checked by a real HTTPS server in front of one. The
// gateway starts on a store filled beforehand (its own SQLite store), so every
// target has a backlog to catch up on from the start.

const BASIC = { username: 'alice', password: 's3cret-pass' };
const BEARER = 'bearer-token-0123456789';
const HOUR = 3_600_000;

interface Forwarded {
  at: number;
  alerts: number;
  authorization?: string;
}

/**
 * An HTTP(S) front for a real Alertmanager, as a reverse proxy in front of one
 * would be: answers 401 unless `authorize` accepts the request's
 * Authorization header, else forwards it and records when it came.
 */
async function front(
  target: AlertmanagerProcess,
  options: { tls?: { key: Buffer; cert: Buffer }; authorize?: (authorization: string | undefined) => boolean } = {},
): Promise<{ url: string; forwarded: Forwarded[]; refused: number; close(): Promise<void> }> {
  const state = { forwarded: [] as Forwarded[], refused: 0 };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      if (options.authorize && !options.authorize(authorization)) {
        state.refused++;
        return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="alertmanager"' }).end('unauthorized');
      }
      const body = Buffer.concat(chunks);
      state.forwarded.push({
        at: Date.now(),
        alerts: (JSON.parse(body.toString('utf8')) as unknown[]).length,
        authorization,
      });
      const forward = request(
        `${target.url}${req.url}`,
        { method: req.method, headers: { 'content-type': 'application/json', 'content-length': body.byteLength } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end('bad gateway'));
      forward.end(body);
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    forwarded: state.forwarded,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Stores notifications the way the gateway does, before it starts: cluster, count, received time. */
async function prefill(dataDir: string, groups: { cluster: string; count: number; receivedAt: Date }[]) {
  const store = await openGatewayNotificationStore(dataDir);
  for (const { cluster, count, receivedAt } of groups) {
    for (let n = 0; n < count; n++) {
      await store.store({
        clusterId: cluster,
        id: `${cluster}-${n}`,
        notification: { title: `${cluster} ${n}`, body: `body ${n}`, properties: { opni_uuid: `${cluster}-${n}` } },
        severity: alerting.OpniSeverity.Warning,
        goldenSignal: alerting.GoldenSignal.Custom,
        receivedAt,
      });
    }
  }
  await store.close();
}

describe('gateway → real Alertmanager: catch-up rate, expiry, credentials and TLS', () => {
  let dir: string;
  let gateway: SpawnedApp;
  let paced: AlertmanagerProcess;
  let lifetimes: AlertmanagerProcess;
  let down: AlertmanagerProcess;
  let guarded: AlertmanagerProcess;
  let pacedFront: Awaited<ReturnType<typeof front>>;
  let tlsFront: Awaited<ReturnType<typeof front>>;

  const RATE = 40;
  const RATE_BATCH = 10;
  const RATE_COUNT = 120;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-am-delivery-'));
    // A self-signed certificate for 127.0.0.1, as an operator would make one for a proxy in front of Alertmanager.
    await promisify(execFile)('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-subj', '/CN=alertmanager-proxy', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ]);
    [paced, lifetimes, down, guarded] = await Promise.all(
      [1, 2, 3, 4].map(() => AlertmanagerProcess.start(webhookRouteConfig('http://127.0.0.1:1/unused'))),
    );
    await down.stop(); // stays down until its notifications have expired
    pacedFront = await front(paced);
    tlsFront = await front(guarded, {
      tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      authorize: (authorization) =>
        authorization === `Bearer ${BEARER}` ||
        authorization === `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`,
    });

    const now = Date.now();
    // received_at never decreases along the store's seq: oldest first.
    await prefill(join(dir, 'gateway'), [
      { cluster: 'old', count: 30, receivedAt: new Date(now - 2 * HOUR) },
      { cluster: 'fresh', count: 20, receivedAt: new Date(now) },
      { cluster: 'late', count: 10, receivedAt: new Date(now) },
      { cluster: 'rate', count: RATE_COUNT, receivedAt: new Date(now) },
      { cluster: 'auth', count: 5, receivedAt: new Date(now) },
    ]);
    const common = { from: 'beginning', backoffInitialMs: 100, backoffMaxMs: 1_000, pollIntervalMs: 1_000 };
    const ca = join(dir, 'cert.pem');
    const file = join(dir, 'receivers.json');
    writeFileSync(
      file,
      JSON.stringify({
        alertmanagers: [
          {
            name: 'paced',
            urls: [pacedFront.url],
            clusters: ['rate'],
            batchSize: RATE_BATCH,
            maxAlertsPerSecond: RATE,
            ...common,
          },
          { name: 'lifetimes', urls: [lifetimes.url], clusters: ['old', 'fresh'], ...common },
          { name: 'down', urls: [down.url], clusters: ['late'], lifetimeMs: 5_000, ...common },
          { name: 'basic', urls: [tlsFront.url], clusters: ['auth'], basicAuth: BASIC, tlsCaFile: ca, ...common },
          { name: 'bearer', urls: [tlsFront.url], clusters: ['auth'], bearerToken: BEARER, tlsCaFile: ca, ...common },
          {
            name: 'in-url',
            urls: [tlsFront.url.replace('https://', `https://${BASIC.username}:${BASIC.password}@`)],
            clusters: ['auth'],
            tlsCaFile: ca,
            ...common,
          },
          {
            name: 'wrong-password',
            urls: [tlsFront.url],
            clusters: ['auth'],
            basicAuth: { username: BASIC.username, password: 'not-the-password' },
            tlsCaFile: ca,
            ...common,
          },
          { name: 'untrusted', urls: [tlsFront.url], clusters: ['auth'], bearerToken: BEARER, ...common },
        ],
      }),
    );
    gateway = await spawnApp('gateway', { dataDir: join(dir, 'gateway'), args: ['--receivers-file', file] });
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await Promise.all([pacedFront, tlsFront].map((server) => server?.close()));
    await Promise.all([paced, lifetimes, down, guarded].map((am) => am?.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function target(name: string): Promise<AlertmanagerView> {
    return (await gatewayAdmin<AlertmanagerView>(gateway.httpAddress, 'GET', `/api/v1/alertmanagers/${name}`)).body;
  }

  async function sent(name: string): Promise<number | undefined> {
    return (await scrapeMetrics(gateway.httpAddress)).value('gateway_alertmanager_notifications_sent_total', {
      target: name,
    });
  }

  it('catches up on a backlog no faster than maxAlertsPerSecond, in batches of at most batchSize', async () => {
    await waitFor(async () => (await paced.alerts(['cluster="rate"'])).length === RATE_COUNT, {
      timeoutMs: 60_000,
      description: `all ${RATE_COUNT} notifications at the Alertmanager`,
    });
    const posts = pacedFront.forwarded;
    expect(posts.reduce((sum, post) => sum + post.alerts, 0)).toBe(RATE_COUNT);
    expect(Math.max(...posts.map((post) => post.alerts))).toBeLessThanOrEqual(RATE_BATCH);
    // Between any two POSTs, no more went out than the rate allows over the time between them (plus the
    // batch that may leave at once, and one more for the network's jitter): a slow machine only spreads them out.
    for (let i = 0; i < posts.length; i++) {
      for (let j = i + 1; j < posts.length; j++) {
        const alerts = posts.slice(i, j).reduce((sum, post) => sum + post.alerts, 0);
        expect(alerts).toBeLessThanOrEqual((RATE * (posts[j].at - posts[i].at)) / 1000 + 2 * RATE_BATCH);
      }
    }
    expect(posts[posts.length - 1].at - posts[0].at).toBeGreaterThanOrEqual(
      ((RATE_COUNT - 2 * RATE_BATCH) * 1000) / RATE,
    );
  });

  it('counts notifications that outlived their lifetime before delivery as expired, and does not send them', async () => {
    await waitFor(async () => (await sent('lifetimes')) === 20 && (await target('lifetimes')).backlog === 0, {
      timeoutMs: 60_000,
      description: 'the fresh notifications sent and the backlog done',
    });
    const view = await target('lifetimes');
    expect(view.expired).toBe(30);
    const metrics = await scrapeMetrics(gateway.httpAddress);
    expect(metrics.value('gateway_alertmanager_notifications_expired_total', { target: 'lifetimes' })).toBe(30);
    const at = (await lifetimes.alerts()).map((alert) => alert.labels.opni_uuid).sort();
    expect(at).toEqual(Array.from({ length: 20 }, (_, n) => `fresh-${n}`).sort());
  });

  it('expires what could not be delivered within its lifetime while the Alertmanager was down; none sent later', async () => {
    await waitFor(async () => (await target('down')).expired === 10, {
      timeoutMs: 60_000,
      description: 'the 10 notifications of the down target expired',
    });
    const view = await target('down');
    expect(view.state).toMatch(/ok|retrying|failing/);
    await down.start();
    // The target is done with them (backlog 0 once it reads on) and posts nothing when Alertmanager is back.
    await waitFor(async () => (await target('down')).backlog === 0, {
      timeoutMs: 30_000,
      description: 'the expired notifications passed over',
    });
    expect(await down.alerts()).toEqual([]);
    expect(await sent('down')).toBe(0);
  });

  it('authenticates with basic auth, a bearer token or credentials in the URL, over TLS trusted through tlsCaFile', async () => {
    for (const name of ['basic', 'bearer', 'in-url']) {
      await waitFor(async () => (await sent(name)) === 5, {
        timeoutMs: 60_000,
        description: `the 5 notifications sent by ${name}`,
      });
      expect((await target(name)).state).toBe('ok');
    }
    expect((await guarded.alerts(['cluster="auth"'])).map((alert) => alert.labels.opni_uuid).sort()).toEqual(
      Array.from({ length: 5 }, (_, n) => `auth-${n}`),
    );
    const schemes = new Set(tlsFront.forwarded.map((post) => post.authorization?.split(' ')[0]));
    expect(schemes).toEqual(new Set(['Basic', 'Bearer']));
  });

  it('does not deliver with a wrong password (401) nor to a server whose certificate it does not trust', async () => {
    const refused = await waitFor(
      async () => {
        const view = await target('wrong-password');
        return view.consecutiveFailures >= 2 ? view : undefined;
      },
      { timeoutMs: 60_000, description: 'the wrong password refused' },
    );
    expect(refused.state).toBe('failing'); // a 401 is a configuration problem, not a passing one
    expect(refused.lastError).toMatchObject({ statusCode: 401, message: expect.stringContaining('HTTP 401') });
    expect(tlsFront.refused).toBeGreaterThanOrEqual(2);

    const untrusted = await waitFor(
      async () => {
        const view = await target('untrusted');
        return view.consecutiveFailures >= 2 ? view : undefined;
      },
      { timeoutMs: 60_000, description: 'the untrusted certificate refused' },
    );
    expect(untrusted.lastError?.message).toMatch(/self[- ]signed|certificate/i);
    expect(await sent('wrong-password')).toBe(0);
    expect(await sent('untrusted')).toBe(0);
  });
});

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { NotifierClient } from '@app/notifier-client';
import { createUnaryClient } from '@app/runtime';
import { bearerMetadata, rawHttp, repoRoot, runApp, spawnApp, type SpawnedApp } from '@app/testing';

// Who may use the agent's ports (issue 21): Notify and GetHealth stay open to
// in-cluster callers by design; the queue API (notification content) and
// capability Node need the agent's admin token; the gRPC port can serve TLS.

const run = promisify(execFile);
const NOTIFY_CLI = join(repoRoot, 'dist/apps/notify-cli/apps/notify-cli/src/main.js');

describe("the agent's admin token", () => {
  let agent: SpawnedApp;
  beforeAll(async () => {
    agent = await spawnApp('agent');
  });
  afterAll(() => agent?.stop());

  it('guards the queue API: no token or a wrong one is 401, other spellings are 404, its own token reads it', async () => {
    const anonymous = await rawHttp(agent.httpAddress, 'GET', '/api/v1/queue');
    expect([anonymous.status, JSON.parse(anonymous.body)]).toEqual([
      401,
      { error: 'unauthenticated', message: 'the admin API needs an admin token: Authorization: Bearer <token>' },
    ]);
    const wrong = await rawHttp(agent.httpAddress, 'GET', '/api/v1/queue/dead-letters', {
      authorization: 'Bearer not-the-token-at-all',
    });
    expect(wrong.status).toBe(401);
    for (const spelling of ['/API/v1/queue', '/api/v1/queue/', '//api/v1/queue', '/api/./v1/queue']) {
      expect([spelling, (await rawHttp(agent.httpAddress, 'GET', spelling)).status]).toEqual([spelling, 404]);
    }
    const admitted = await rawHttp(agent.httpAddress, 'GET', '/api/v1/queue?limit=1', {
      authorization: `Bearer ${agent.adminToken}`,
    });
    expect(admitted.status).toBe(200);
    expect(JSON.parse(admitted.body)).toMatchObject({ count: 0, entries: [] });
    // Generated on first start, readable by its owner only, and never logged.
    expect((statSync(join(agent.dataDir, 'admin-token')).mode & 0o777).toString(8)).toBe('600');
    expect(agent.logs.filter((line) => line.event === 'admin-token-created')).toHaveLength(1);
    expect(agent.stdout()).not.toContain(agent.adminToken);
  });

  it('keeps Notify and GetHealth open, and guards capability Node', async () => {
    const notify = createUnaryClient('alerting.NotificationService', agent.grpcAddress);
    const node = createUnaryClient('capability.Node', agent.grpcAddress);
    const health = createUnaryClient('control.Health', agent.grpcAddress);
    try {
      const reply = await notify.notify({ id: 'open-1', message: { title: 't', body: 'b', properties: {} } });
      expect(reply.id).toBe('open-1');
      expect((await health.getHealth({})).annotations['queue.count']).toBe('1');
      await expect(node.syncNow({ capabilityNames: [] })).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
      await expect(
        node.syncNow({ capabilityNames: [] }, {}, bearerMetadata('not-the-token-at-all')),
      ).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'the admin token is not valid' });
      // Past the guard: this agent has no gateway to sync with.
      await expect(node.syncNow({ capabilityNames: [] }, {}, bearerMetadata(agent.adminToken))).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
        details: 'the agent is not connected to the gateway',
      });
    } finally {
      notify.close();
      node.close();
      health.close();
    }
  });
});

describe('a configured admin token (e.g. from a Kubernetes Secret)', () => {
  it('is the one the queue API takes; no token file is written', async () => {
    const token = 'configured-agent-admin-token-0123';
    const agent = await spawnApp('agent', { env: { AGENT_ADMIN_TOKEN: token } });
    try {
      expect(agent.adminToken).toBe(token);
      const admitted = await rawHttp(agent.httpAddress, 'GET', '/api/v1/queue', { authorization: `Bearer ${token}` });
      expect(admitted.status).toBe(200);
      expect(existsSync(join(agent.dataDir, 'admin-token'))).toBe(false);
      expect(agent.stdout()).not.toContain(token);
    } finally {
      await agent.stop();
    }
    const tooShort = await runApp('agent', ['--admin-token', 'short', '--data-dir', mkdtempSync(join(tmpdir(), 'a-'))]);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('AGENT_ADMIN_TOKEN (--admin-token)');
  });
});

describe('TLS on the agent gRPC port', () => {
  let dir: string;
  let agent: SpawnedApp;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-tls-'));
    // A self-signed certificate for 127.0.0.1, as an operator would make one.
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-subj', '/CN=agent', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ]);
    agent = await spawnApp('agent', {
      args: ['--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem')],
    });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves Notify over TLS to clients that trust its CA, and refuses plain text', async () => {
    const caPem = readFileSync(join(dir, 'cert.pem'));
    const secure = new NotifierClient({ agentAddress: agent.grpcAddress, tls: { caPem } });
    const plain = new NotifierClient({ agentAddress: agent.grpcAddress, retry: { maxAttempts: 1 } });
    try {
      expect(await secure.notify({ id: 'tls-1', title: 'over TLS', body: 'b' })).toMatchObject({ id: 'tls-1' });
      await expect(plain.notify({ id: 'plain-1', title: 'plain', body: 'b' })).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    } finally {
      secure.close();
      plain.close();
    }
    const cli = await run(process.execPath, [
      NOTIFY_CLI,
      ...['--agent', agent.grpcAddress, '--tls-ca-file', join(dir, 'cert.pem')],
      ...['--title', 'from the CLI', '--body', 'over TLS', '--id', 'tls-cli-1'],
    ]);
    expect(cli.stdout.trim()).toBe('queued tls-cli-1');
  });

  it('will not start with a certificate and no key', async () => {
    const result = await runApp('agent', [
      ...['--tls-cert-file', join(dir, 'cert.pem'), '--data-dir', join(dir, 'data')],
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AGENT_TLS_KEY_FILE (--tls-key-file)');
  });
});

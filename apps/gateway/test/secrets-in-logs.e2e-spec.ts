import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fetchGatewayNotifications,
  gatewayAdmin,
  gatewayClient,
  installAlerting,
  joinArgs,
  notifyAll,
  rawHttp,
  spawnApp,
  waitFor,
  type SpawnedApp,
} from '@app/testing';

// Secrets never reach the logs (issue 21): a whole run — a gateway and an
// agent at the most verbose level, a join with a bootstrap token, pushes,
// admin calls, and credentials sent where they do not belong — and then every
// secret it used is looked for in everything both processes wrote.

/** The lines of a PEM's base64 body that are long enough to be unique to it. */
function pemBody(pem: string): string[] {
  return pem.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line));
}

describe('secrets in logs', () => {
  const started: SpawnedApp[] = [];
  afterAll(async () => {
    await Promise.all(started.map((app) => app.stop('SIGKILL')));
  });

  it('no admin token, bootstrap token, cluster key or private key appears in any output of a full run', async () => {
    const gateway = await spawnApp('gateway', { env: { LOG_LEVEL: 'trace' } });
    started.push(gateway);
    const args = await joinArgs(gateway, 'quiet');
    const joinToken = args[args.indexOf('--join-token') + 1];
    const agent = await spawnApp('agent', { args: [...args, '--log-level', 'trace'] });
    started.push(agent);
    await installAlerting(gateway.httpAddress, 'quiet');
    const ids = ['s1', 's2', 's3'];
    await notifyAll(
      agent.grpcAddress,
      ids.map((id) => ({ id, severity: 'Warning' })),
    );
    await waitFor(async () => (await fetchGatewayNotifications(gateway.httpAddress)).length === ids.length, {
      description: 'the notifications stored at the gateway',
    });

    // Credentials sent where they do not belong: query strings, a wrong header, the agent's API.
    const extra = (await gatewayAdmin<{ token: string }>(gateway.httpAddress, 'POST', '/api/v1/tokens', {})).body.token;
    for (const path of [
      `/api/v1/tokens?admin_token=${gateway.adminToken}`,
      `/api/v1/notifications?token=${extra}`,
      `/api/v1/clusters?x=${agent.adminToken}`,
    ]) {
      expect((await rawHttp(gateway.httpAddress, 'GET', path)).status).toBe(401);
    }
    expect((await rawHttp(agent.httpAddress, 'GET', `/api/v1/queue?access_token=${agent.adminToken}`)).status).toBe(
      401,
    );
    expect(
      (await rawHttp(agent.httpAddress, 'GET', '/api/v1/queue', { authorization: `Bearer ${agent.adminToken}` }))
        .status,
    ).toBe(200);
    const backend = gatewayClient(gateway, 'capability.Backend');
    try {
      expect((await backend.info({})).name).toBe('alerting');
    } finally {
      backend.close();
    }
    await waitFor(
      () => agent.logs.some((line) => String((line.req as { url?: string })?.url).includes('access_token')),
      {
        description: "the agent's refused request logged",
      },
    );

    const keyring = JSON.parse(readFileSync(join(agent.dataDir, 'keyring.json'), 'utf8')) as { clusterKey: string };
    const clusterKey = Buffer.from(keyring.clusterKey, 'base64');
    const secrets: Record<string, string> = {
      'gateway admin token': gateway.adminToken,
      'agent admin token': agent.adminToken,
      'bootstrap token': joinToken,
      'bootstrap token secret': joinToken.split('.')[1],
      'unused bootstrap token secret': extra.split('.')[1],
      'cluster key (base64)': keyring.clusterKey,
      'cluster key (hex)': clusterKey.toString('hex'),
      'cluster key (base64url)': clusterKey.toString('base64url'),
    };
    for (const file of ['ca-key.pem', 'server-key.pem']) {
      pemBody(readFileSync(join(gateway.dataDir, 'tls', file), 'utf8')).forEach((line, i) => {
        secrets[`${file} line ${i + 1}`] = line;
      });
    }
    // The run did log what happened, verbosely: an empty log would hide nothing.
    const outputs = { gateway: gateway.stdout() + gateway.stderr(), agent: agent.stdout() + agent.stderr() };
    expect(gateway.logs.length).toBeGreaterThan(50);
    expect(agent.logs.length).toBeGreaterThan(20);
    const found = Object.entries(secrets).flatMap(([name, value]) =>
      Object.entries(outputs)
        .filter(([, text]) => text.includes(value))
        .map(([app]) => `${name} in the ${app}'s output`),
    );
    expect(found).toEqual([]);
  });
});

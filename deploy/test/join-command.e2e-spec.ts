import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClusterView, CreatedTokenView } from '@app/admin-api';
import { gatewayAdmin, repoRoot, spawnApp, waitFor, type SpawnedApp } from '@app/testing';
import { AGENT_CHART } from './helm.js';
import { podSpec, renderChart, type K8sObject } from './manifests.js';

// The join command the gateway prints is the Kubernetes one: installing the
// agent's chart with the gateway's address, token and pin as values. Here it
// is rendered by the real Helm exactly as printed (`helm upgrade --install`
// → `helm template`, same arguments), and its Deployment is played as a
// kubelet would: the init container's kube-cluster-id.mjs against a stand-in
// API server (HTTPS, service-account token and CA), then the agent container's
// command and environment, its Secret references resolved from the rendered
// Secret. The agent joins the real gateway as the kube-system UID: the values
// match the gateway's address, pin and token.

const run = promisify(execFile);
const KUBE_SYSTEM_UID = '7d3a9c1e-52b4-4f0e-8a6d-1c2b3e4f5a6b';
const SERVICE_ACCOUNT_TOKEN = 'service-account-token-of-the-agent';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

describe('the Kubernetes join command', () => {
  let gateway: SpawnedApp;
  let agent: SpawnedApp | undefined;
  let dir: string;
  let api: Server;
  const requests: { path?: string; authorization?: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kube-join-'));
    // The API server's certificate, as the pod's service account CA would hold it.
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-subj', '/CN=kubernetes', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2'],
      ...['-keyout', join(dir, 'api-key.pem'), '-out', join(dir, 'ca.crt')],
    ]);
    writeFileSync(join(dir, 'token'), `${SERVICE_ACCOUNT_TOKEN}\n`);
    api = createServer(
      { key: readFileSync(join(dir, 'api-key.pem')), cert: readFileSync(join(dir, 'ca.crt')) },
      (req, res) => {
        requests.push({ path: req.url, authorization: req.headers.authorization });
        const allowed = req.headers.authorization === `Bearer ${SERVICE_ACCOUNT_TOKEN}`;
        if (req.method === 'GET' && req.url === '/api/v1/namespaces/kube-system' && allowed) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              kind: 'Namespace',
              apiVersion: 'v1',
              metadata: { name: 'kube-system', uid: KUBE_SYSTEM_UID },
            }),
          );
        } else {
          res.writeHead(allowed ? 404 : 401).end();
        }
      },
    );
    await new Promise<void>((listening) => api.listen(0, '127.0.0.1', listening));
    gateway = await spawnApp('gateway');
  });

  afterAll(async () => {
    await agent?.stop();
    await gateway?.stop();
    api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("installs the agent's chart with the gateway's address, token and pin; the agent it describes joins as the kube-system UID", async () => {
    const created = await gatewayAdmin<CreatedTokenView>(gateway.httpAddress, 'POST', '/api/v1/tokens', {});
    expect(created.status).toBe(201);
    const { joinCommand, token, pin } = created.body;
    expect(pin).toBe(gateway.gateway!.pin);

    // The printed command, word for word: helm upgrade --install <release> <chart> <flags>.
    const words = joinCommand.split(' ');
    expect(words.slice(0, 3)).toEqual(['helm', 'upgrade', '--install']);
    const [release, chart, ...flags] = words.slice(3);
    expect(chart).toBe(AGENT_CHART);
    const namespace = flags[flags.indexOf('--namespace') + 1];
    const templateFlags = flags.filter(
      (flag) => flag !== '--create-namespace' && flag !== '--namespace' && flag !== namespace,
    );
    expect(templateFlags).toEqual([
      ...['--set', `gateway.address=${gateway.grpcAddress}`],
      ...['--set', `join.token=${token}`],
      ...['--set', `join.pin=${pin}`],
    ]);
    const objects = renderChart(chart, templateFlags, release, namespace);

    // The kubelet's part: the init container, then the agent's container.
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const pod = podSpec(deployment)! as unknown as {
      initContainers: { command: string[] }[];
      containers: { command: string[]; env: EnvVar[] }[];
    };
    const mounted = (path: string) => path.replace('/var/run/downstream-alerting', dir);
    const [, initScript, envFile] = pod.initContainers[0].command;
    await run(process.execPath, [join(repoRoot, 'deploy/image', initScript.replace('bin/', '')), mounted(envFile)], {
      env: {
        ...process.env,
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: String((api.address() as { port: number }).port),
        KUBE_SERVICE_ACCOUNT_DIR: dir,
      },
    });
    expect(readFileSync(mounted(envFile), 'utf8')).toBe(`AGENT_CLUSTER_ID=${KUBE_SYSTEM_UID}\n`);
    expect(requests).toEqual([
      { path: '/api/v1/namespaces/kube-system', authorization: `Bearer ${SERVICE_ACCOUNT_TOKEN}` },
    ]);

    const container = pod.containers[0];
    const secrets = new Map(
      objects
        .filter((o): o is K8sObject & { stringData: Record<string, string> } => o.kind === 'Secret')
        .map((secret) => [secret.metadata.name, secret.stringData]),
    );
    const env: Record<string, string> = {};
    for (const variable of container.env) {
      const ref = variable.valueFrom?.secretKeyRef;
      env[variable.name] = ref ? secrets.get(ref.name)![ref.key] : variable.value!;
    }
    expect([env.AGENT_GATEWAY_ADDRESS, env.AGENT_JOIN_TOKEN, env.AGENT_GATEWAY_PIN]).toEqual([
      gateway.grpcAddress,
      token,
      pin,
    ]);
    // The pod's network, volume and API server are not here: loopback ports, a temporary data
    // directory (spawnApp's), and no event source.
    for (const podOnly of ['AGENT_HOST', 'AGENT_GRPC_PORT', 'AGENT_HTTP_PORT', 'AGENT_DATA_DIR']) delete env[podOnly];
    env.AGENT_KUBE_EVENTS = 'false';
    const [node, envFileFlag, entry] = container.command;
    expect(node).toBe('node');
    agent = await spawnApp('agent', { shell: `${process.execPath} ${mounted(envFileFlag)} ${entry}`, env });

    await waitFor(
      async () => {
        const cluster = await gatewayAdmin<ClusterView>(
          gateway.httpAddress,
          'GET',
          `/api/v1/clusters/${KUBE_SYSTEM_UID}`,
        );
        return cluster.status === 200 && cluster.body.connected;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: `cluster ${KUBE_SYSTEM_UID} to join and connect` },
    );
  }, 120_000);

  it('the init step refuses, naming why, without the service account or with a refused token', async () => {
    const out = join(dir, 'refused.env');
    const attempt = (env: NodeJS.ProcessEnv) =>
      run(process.execPath, [join(repoRoot, 'deploy/image/kube-cluster-id.mjs'), out], {
        env: { ...process.env, ...env },
      });
    await expect(attempt({ KUBERNETES_SERVICE_HOST: '' })).rejects.toMatchObject({
      stderr: expect.stringContaining('KUBERNETES_SERVICE_HOST is not set'),
    });
    const badAccount = mkdtempSync(join(tmpdir(), 'kube-account-'));
    writeFileSync(join(badAccount, 'token'), 'wrong');
    writeFileSync(join(badAccount, 'ca.crt'), readFileSync(join(dir, 'ca.crt')));
    await expect(
      attempt({
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: String((api.address() as { port: number }).port),
        KUBE_SERVICE_ACCOUNT_DIR: badAccount,
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('answered 401') });
    rmSync(badAccount, { recursive: true, force: true });
  });
});

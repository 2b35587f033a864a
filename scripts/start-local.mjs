#!/usr/bin/env node
// Runs the built gateway and agent side by side on this machine (npm start).
// Both bind 127.0.0.1 and keep their data under ./data. The first time, the
// agent joins the gateway by itself: this script reads the gateway's admin
// token (data/gateway/admin-token), creates a one-use bootstrap token and
// hands it, with the gateway's pin, to the agent. Ctrl-C (SIGINT) or SIGTERM
// stops both gracefully; a service still running after the grace period is
// killed. Any flag given here is passed to both, e.g.
//   npm start -- --log-level debug
// When Prometheus Alertmanager is installed (/usr/bin/prometheus-alertmanager,
// or ALERTMANAGER_BIN), it runs too, on 127.0.0.1:9093 with
// data/alertmanager/alertmanager.yml (written the first time: a route on
// cluster and severity), and the gateway delivers to it. ALERTMANAGER_URL=<url>
// delivers to an Alertmanager of your own instead; ALERTMANAGER_URL=none to none.
// except --demo-kube-events, which also runs a stand-in Kubernetes API server
// with a trickle of realistic events (scripts/demo-kube-events.ts), points the
// agent's event source at it and installs alerting for the local cluster, so
// the events show on the admin page.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GRACE_MS = 4_000;
const GATEWAY = 'http://127.0.0.1:8080';
const CLUSTER = 'local';
const ADMIN_PAGE_URL = `${GATEWAY}/admin/`;
const DEMO_KUBE_EVENTS = process.argv.includes('--demo-kube-events');
const passedOn = process.argv.slice(2).filter((arg) => arg !== '--demo-kube-events');
const DEMO_KUBE_DIR = 'data/demo-kube';

const env = { ...process.env };
// Coloured single lines for a person at a terminal; JSON when piped, unless chosen.
env.LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';

const children = [];

function start(name, args, extraEnv = {}) {
  const entry = join(root, 'dist/apps', name, 'apps', name, 'src/main.js');
  if (!existsSync(entry)) {
    console.error(`${entry} is missing: run \`npm run build\` (npm start does it for you)`);
    process.exit(1);
  }
  const child = spawn(process.execPath, [entry, '--host', '127.0.0.1', ...args, ...passedOn], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: 'inherit',
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ name, code, signal })));
  children.push({ name, child, exited });
}

async function waitForGateway() {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      if ((await fetch(`${GATEWAY}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the gateway did not answer /healthz within 30 s');
}

async function admin(method, path, body) {
  const adminToken = readFileSync(join(root, 'data/gateway/admin-token'), 'utf8').trim();
  const response = await fetch(`${GATEWAY}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  setTimeout(() => {
    for (const { name, child } of children) {
      if (child.exitCode === null && child.signalCode === null) {
        console.error(`${name} did not stop within ${GRACE_MS} ms; killing it`);
        child.kill('SIGKILL');
      }
    }
  }, GRACE_MS).unref();
}

let requested = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    requested = true;
    stopAll(signal);
  });
}

const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const LOCAL_ALERTMANAGER = 'http://127.0.0.1:9093';

/** An example of what an SRE routes on: the cluster, then the severity (see the README). */
const ALERTMANAGER_CONFIG = `# Written by npm start; edit freely (Alertmanager reloads on SIGHUP).
route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
  routes:
    - matchers: [cluster="local", severity=~"critical|error"]
      receiver: oncall
receivers:
  - name: default
  - name: oncall
`;

function startAlertmanager() {
  const dir = join(root, 'data/alertmanager');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'alertmanager.yml');
  if (!existsSync(config)) writeFileSync(config, ALERTMANAGER_CONFIG);
  const child = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${config}`,
      `--storage.path=${dir}`,
      '--web.listen-address=127.0.0.1:9093',
      '--cluster.listen-address=',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ name: 'alertmanager', code, signal })),
  );
  children.push({ name: 'alertmanager', child, exited });
}

/** The Alertmanager the gateway delivers to, if any; a receivers file naming it. */
function alertmanagerTarget() {
  let url = process.env.ALERTMANAGER_URL;
  if (url === 'none') return [];
  if (!url) {
    if (!existsSync(ALERTMANAGER_BIN)) return [];
    startAlertmanager();
    url = LOCAL_ALERTMANAGER;
  }
  mkdirSync(join(root, 'data/gateway'), { recursive: true });
  const file = join(root, 'data/gateway/start-local-receivers.json');
  writeFileSync(file, JSON.stringify({ alertmanagers: [{ name: 'local', urls: [url], from: 'beginning' }] }, null, 2));
  console.log(`alertmanager: ${url} (the gateway's target "local"; ${file})`);
  return ['--receivers-file', file, '--external-url', GATEWAY];
}

/** The stand-in Kubernetes API server of --demo-kube-events; resolves once it has written its kubeconfig. */
function startDemoKubeApi() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo-kube-events.ts', DEMO_KUBE_DIR], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ name: 'demo-kube-api', code, signal })),
  );
  children.push({ name: 'demo-kube-api', child, exited });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text) => {
      process.stdout.write(text);
      if (text.includes('kubeconfig')) resolve(join(DEMO_KUBE_DIR, 'kubeconfig'));
    });
    void exited.then(() => reject(new Error('the demo Kubernetes API server exited')));
  });
}

start('gateway', ['--grpc-port', '9090', '--http-port', '8080', '--data-dir', 'data/gateway', ...alertmanagerTarget()]);
const demoKubeconfig = DEMO_KUBE_EVENTS ? await startDemoKubeApi() : undefined;
await waitForGateway();
const agentEnv = {};
if (!existsSync(join(root, 'data/agent/keyring.json'))) {
  const created = await admin('POST', '/api/v1/tokens', { ttl: '10m', maxUsages: 1 });
  if (created.status !== 201) throw new Error(`could not create a bootstrap token: ${JSON.stringify(created.body)}`);
  Object.assign(agentEnv, { AGENT_JOIN_TOKEN: created.body.token, AGENT_GATEWAY_PIN: created.body.pin });
}
start(
  'agent',
  [
    ...[
      '--grpc-port',
      '9190',
      '--http-port',
      '9191',
      '--data-dir',
      'data/agent',
      '--gateway-address',
      '127.0.0.1:9090',
    ],
    ...(demoKubeconfig ? ['--kube-events', 'true', '--kubeconfig', demoKubeconfig] : []),
  ],
  { AGENT_CLUSTER_ID: CLUSTER, ...agentEnv },
);

// Pushes start once alerting is installed for the agent's cluster: say how, once the agent is connected.
void (async () => {
  for (let attempt = 0; attempt < 60 && !stopping; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cluster = await admin('GET', `/api/v1/clusters/${CLUSTER}`).catch(() => undefined);
    if (cluster?.status !== 200 || !cluster.body.connected) continue;
    console.log(`\nadmin page: ${ADMIN_PAGE_URL} (its admin token is in data/gateway/admin-token)`);
    if (DEMO_KUBE_EVENTS && !cluster.body.capabilities.some((c) => c.name === 'alerting')) {
      const installed = await admin('POST', `/api/v1/clusters/${CLUSTER}/capabilities/alerting/install`);
      console.log(
        `--demo-kube-events: installed alerting for cluster "${CLUSTER}" (${installed.body?.status ?? installed.status})`,
      );
      console.log(`Kubernetes events from the demo API server appear on the admin page as they happen.\n`);
      return;
    }
    if (!cluster.body.capabilities.some((c) => c.name === 'alerting')) {
      console.log(
        `alerting is not installed for cluster "${CLUSTER}": the agent queues but does not push. Install it on the admin page, or with\n` +
          `  curl -X POST -H "Authorization: Bearer $(cat data/gateway/admin-token)" ${GATEWAY}/api/v1/clusters/${CLUSTER}/capabilities/alerting/install\n`,
      );
    }
    return;
  }
})();

// One service exiting on its own (a crash, a port in use) takes the other down too.
const first = await Promise.race(children.map((c) => c.exited));
if (!requested) {
  console.error(`${first.name} exited (code ${first.code}, signal ${first.signal}); stopping the others`);
  stopAll('SIGTERM');
}
const results = await Promise.all(children.map((c) => c.exited));
const clean = results.every((r) => r.code === 0);
process.exit(clean && requested ? 0 : 1);

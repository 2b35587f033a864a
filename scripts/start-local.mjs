#!/usr/bin/env node
// Builds, then runs the gateway and agent side by side on this machine (npm start).
// Both bind 127.0.0.1 and keep their data under ./data. The first time, the
// agent joins the gateway by itself: this script reads the gateway's admin
// token (data/gateway/admin-token), creates a one-use bootstrap token and
// hands it, with the gateway's pin, to the agent. Once the agent is connected
// it prints one screen: what runs where, the admin page and its token.
// Ctrl-C (SIGINT) or SIGTERM (to this process or to the `npm start` around it:
// package.json execs this script, so npm's forwarded signal reaches it) stops
// both gracefully and exits 0; a service still running after the grace period
// is killed. Any flag given here is passed to both, e.g.
//   npm start -- --log-level debug
// Logs are for a person at a terminal: pretty, and below warn only our own
// events (LOG_FORMAT=pretty, LOG_DETAIL=events; set either to override).
// The apps' own variables move the demo: GATEWAY_GRPC_PORT, GATEWAY_HTTP_PORT,
// AGENT_GRPC_PORT, AGENT_HTTP_PORT (defaults 9090, 8080, 9190, 9191),
// GATEWAY_DATA_DIR and AGENT_DATA_DIR (data/gateway, data/agent).
// START_LOCAL_SKIP_BUILD=1 runs what is in dist/ without building first.
// When Prometheus Alertmanager is installed (/usr/bin/prometheus-alertmanager,
// or ALERTMANAGER_BIN), it runs too, on 127.0.0.1:9093 with
// data/alertmanager/alertmanager.yml (written the first time: a route on
// cluster and severity), and the gateway delivers to it. ALERTMANAGER_URL=<url>
// delivers to an Alertmanager of your own instead; ALERTMANAGER_URL=none to none.
// --demo-kube-events (not passed on to the apps) also runs a stand-in Kubernetes API server
// with a trickle of realistic events (scripts/demo-kube-events.ts), points the
// agent's event source at it and installs alerting for the local cluster, so
// the events show on the admin page.
// --replicas N (N >= 2; not passed on) runs N gateways as replicas of one: a
// throwaway PostgreSQL (scripts/local-replicas.mjs) they all store in, ports
// counting up from the gateway's (9090, 9091, … and 8080, 8081, …), data in
// data/replicas/gateway-1, -2, … (or GATEWAY_DATA_DIR, then <it>-2, …) with the
// first one's CA and admin token copied to the others; the agent (data in
// data/replicas/agent, emptied first: it joined the last run's database) joins
// the first. Ctrl-C stops them all, then the database, which is removed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replicaDataDir, replicasOption, shareGatewaySecrets, startLocalPostgres } from './local-replicas.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GRACE_MS = 4_000;
const CLUSTER = 'local';
const DEMO_KUBE_EVENTS = process.argv.includes('--demo-kube-events');
const { replicas: REPLICAS, rest } = (() => {
  try {
    return replicasOption(process.argv.slice(2));
  } catch (error) {
    console.error(`npm start: ${error.message}`);
    process.exit(2);
  }
})();
/** Flags passed on to both apps: all but this script's own. */
const passedOn = rest.filter((arg) => arg !== '--demo-kube-events');
const DEMO_KUBE_DIR = 'data/demo-kube';

const env = { ...process.env };
// A person at a terminal: coloured single lines, without Nest's module and route listings (docs/operating.md).
env.LOG_FORMAT ??= 'pretty';
env.LOG_DETAIL ??= 'events';

// Where the demo runs: the apps' own setting variables, else the ports of the README.
const PORTS = {
  gatewayGrpc: env.GATEWAY_GRPC_PORT || '9090',
  gatewayHttp: env.GATEWAY_HTTP_PORT || '8080',
  agentGrpc: env.AGENT_GRPC_PORT || '9190',
  agentHttp: env.AGENT_HTTP_PORT || '9191',
};
const REPLICATED = REPLICAS > 1;
const GATEWAY_DATA = resolve(root, env.GATEWAY_DATA_DIR || (REPLICATED ? 'data/replicas/gateway-1' : 'data/gateway'));
const AGENT_DATA = resolve(root, env.AGENT_DATA_DIR || (REPLICATED ? 'data/replicas/agent' : 'data/agent'));
/** Replica i (1-based) of --replicas: ports counting up from the gateway's. */
const replica = (i) => ({
  grpc: String(Number(PORTS.gatewayGrpc) + i - 1),
  http: String(Number(PORTS.gatewayHttp) + i - 1),
  dataDir:
    REPLICATED && !env.GATEWAY_DATA_DIR ? resolve(root, `data/replicas/gateway-${i}`) : replicaDataDir(GATEWAY_DATA, i),
});
const GATEWAY = `http://127.0.0.1:${PORTS.gatewayHttp}`;
const AGENT_HTTP = `http://127.0.0.1:${PORTS.agentHttp}`;
const ADMIN_PAGE_URL = `${GATEWAY}/admin/`;
/** A path as a person would type it from the repository root. */
const shown = (path) => (relative(root, path).startsWith('..') ? path : relative(root, path));

const children = [];

function start(name, args, extraEnv = {}, label = name) {
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
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ name: label, code, signal })));
  children.push({ name: label, child, exited });
}

async function waitForGateway(url = GATEWAY) {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the gateway at ${url} did not answer /healthz within 30 s`);
}

const gatewayAdminToken = () => readFileSync(join(GATEWAY_DATA, 'admin-token'), 'utf8').trim();

async function admin(method, path, body) {
  const adminToken = gatewayAdminToken();
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
// A failure of this script (e.g. no bootstrap token) must not leave the services running without it.
process.on('uncaughtException', async (error) => {
  console.error(`npm start failed: ${error.stack ?? error}`);
  stopAll('SIGTERM');
  await Promise.all(children.map((c) => c.exited));
  await database?.stop();
  process.exit(1);
});

/** --replicas: the throwaway PostgreSQL the gateways share; stopped after them. */
let database;

const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const LOCAL_ALERTMANAGER = 'http://127.0.0.1:9093';

/** An example of what an SRE routes on: the cluster, then the severity (see docs/receivers.md). */
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
      '--log.level=warn', // quiet, as the apps are here
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
  mkdirSync(GATEWAY_DATA, { recursive: true });
  const file = join(GATEWAY_DATA, 'start-local-receivers.json');
  writeFileSync(file, JSON.stringify({ alertmanagers: [{ name: 'local', urls: [url], from: 'beginning' }] }, null, 2));
  console.log(`alertmanager: ${url} (the gateway's target "local"; ${shown(file)})`);
  return ['--receivers-file', file, '--external-url', GATEWAY];
}

/** npm run build, quietly: its output is shown only when it fails. Skipped with START_LOCAL_SKIP_BUILD=1. */
async function build() {
  if (env.START_LOCAL_SKIP_BUILD === '1') return;
  const started = Date.now();
  process.stdout.write('building (npm run build) … ');
  // The npm that runs this script, under this Node (npm_execpath is set by npm run).
  const [command, args] = env.npm_execpath
    ? [process.execPath, [env.npm_execpath, 'run', '--silent', 'build']]
    : ['npm', ['run', '--silent', 'build']];
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ name: 'build', code, signal })),
  );
  children.push({ name: 'build', child, exited });
  const { code } = await exited;
  children.splice(0, children.length);
  if (requested) process.exit(0);
  if (code !== 0) {
    process.stdout.write('failed\n');
    process.stderr.write(output);
    process.exit(code ?? 1);
  }
  process.stdout.write(`done in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

/** What runs where, the admin page and its token, how to look at the agent's queue; the install hint if needed. */
function readyScreen(cluster) {
  const gatewayToken = join(GATEWAY_DATA, 'admin-token');
  const agent = `127.0.0.1:${PORTS.agentGrpc}`;
  const lines = [
    `ready: admin page ${ADMIN_PAGE_URL} with admin token ${gatewayAdminToken()} (${shown(gatewayToken)})`,
    ...(REPLICATED
      ? Array.from({ length: REPLICAS }, (_, n) => replica(n + 1)).map(
          ({ grpc, http, dataDir }, n) =>
            `  gateway ${n + 1} gRPC 127.0.0.1:${grpc}, HTTP http://127.0.0.1:${http}, admin page ` +
            `http://127.0.0.1:${http}/admin/, data in ${shown(dataDir)}`,
        )
      : [`  gateway  gRPC 127.0.0.1:${PORTS.gatewayGrpc}, HTTP ${GATEWAY}, data in ${shown(GATEWAY_DATA)}`]),
    ...(REPLICATED
      ? [
          `  database ${database.url} (throwaway PostgreSQL in ${database.dir}: every replica stores here; removed when this stops)`,
        ]
      : []),
    `  agent    gRPC ${agent}, HTTP ${AGENT_HTTP}, data in ${shown(AGENT_DATA)}; cluster "${CLUSTER}", ` +
      (cluster?.connected ? 'connected' : 'NOT connected yet (see above)'),
    `  queue    curl -H "Authorization: Bearer $(cat ${shown(join(AGENT_DATA, 'admin-token'))})" ${AGENT_HTTP}/api/v1/queue`,
    `  send     node dist/apps/notify-cli/apps/notify-cli/src/main.js${PORTS.agentGrpc === '9190' ? '' : ` --agent ${agent}`} --title Hello --body World`,
  ];
  if (cluster && !cluster.capabilities.some((c) => c.name === 'alerting')) {
    lines.push(
      `alerting is not installed for cluster "${CLUSTER}": the agent queues but does not push. Install it on the admin page, or with`,
      `  curl -X POST -H "Authorization: Bearer $(cat ${shown(gatewayToken)})" ${GATEWAY}/api/v1/clusters/${CLUSTER}/capabilities/alerting/install`,
    );
  }
  lines.push(REPLICATED ? 'Ctrl-C stops them all and removes the database.' : 'Ctrl-C stops both.');
  return lines.join('\n');
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

await build();
if (REPLICATED) {
  // The agent's identity belonged to the last run's database, which is gone.
  if (!env.AGENT_DATA_DIR) rmSync(AGENT_DATA, { recursive: true, force: true });
  database = await startLocalPostgres(root, env).catch((error) => {
    console.error(`npm start -- --replicas ${REPLICAS}: ${error.message}`);
    process.exit(1);
  });
  if (requested) {
    await database.stop();
    process.exit(0);
  }
  console.log(`postgres: ${database.url} (throwaway, for ${REPLICAS} gateway replicas)`);
}
const receiverArgs = alertmanagerTarget();
const storageEnv = REPLICATED ? { GATEWAY_STORAGE: 'postgres', GATEWAY_POSTGRES_URL: database.url } : {};
for (let i = 1; i <= REPLICAS; i++) {
  const { grpc, http, dataDir } = replica(i);
  // The first replica makes the CA and admin token; the others start with copies of them.
  if (i > 1) shareGatewaySecrets(replica(1).dataDir, dataDir);
  start(
    'gateway',
    [...['--grpc-port', grpc, '--http-port', http, '--data-dir', dataDir], ...receiverArgs],
    storageEnv,
    REPLICATED ? `gateway ${i}` : 'gateway',
  );
  if (i < REPLICAS) await waitForGateway(`http://127.0.0.1:${http}`);
}
const demoKubeconfig = DEMO_KUBE_EVENTS ? await startDemoKubeApi() : undefined;
for (let i = 1; i <= REPLICAS; i++) await waitForGateway(`http://127.0.0.1:${replica(i).http}`);
const agentEnv = {};
if (!existsSync(join(AGENT_DATA, 'keyring.json'))) {
  const created = await admin('POST', '/api/v1/tokens', { ttl: '10m', maxUsages: 1 });
  if (created.status !== 201) throw new Error(`could not create a bootstrap token: ${JSON.stringify(created.body)}`);
  Object.assign(agentEnv, { AGENT_JOIN_TOKEN: created.body.token, AGENT_GATEWAY_PIN: created.body.pin });
}
start(
  'agent',
  [
    ...['--grpc-port', PORTS.agentGrpc, '--http-port', PORTS.agentHttp, '--data-dir', AGENT_DATA],
    ...['--gateway-address', `127.0.0.1:${PORTS.gatewayGrpc}`],
    ...(demoKubeconfig ? ['--kube-events', 'true', '--kubeconfig', demoKubeconfig] : []),
  ],
  { AGENT_CLUSTER_ID: CLUSTER, ...agentEnv },
);

// Once the agent is connected (or has had 30 s to), the one screen a person needs.
void (async () => {
  let cluster;
  for (let attempt = 0; attempt < 60 && !stopping; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    cluster = await admin('GET', `/api/v1/clusters/${CLUSTER}`).catch(() => undefined);
    if (cluster?.status === 200 && cluster.body.connected) break;
  }
  if (stopping) return;
  const connected = cluster?.status === 200 && cluster.body.connected;
  if (DEMO_KUBE_EVENTS && connected && !cluster.body.capabilities.some((c) => c.name === 'alerting')) {
    const installed = await admin('POST', `/api/v1/clusters/${CLUSTER}/capabilities/alerting/install`);
    console.log(
      `--demo-kube-events: alerting installed for cluster "${CLUSTER}" (${installed.body?.status ?? installed.status}); ` +
        'Kubernetes events from the demo API server appear on the admin page as they happen',
    );
    cluster = await admin('GET', `/api/v1/clusters/${CLUSTER}`).catch(() => undefined);
  }
  console.log(readyScreen(cluster?.status === 200 ? cluster.body : undefined));
})();

// One service exiting on its own (a crash, a port in use; the database) takes the other down too.
const first = await Promise.race([...children.map((c) => c.exited), ...(database ? [database.exited] : [])]);
if (!requested) {
  console.error(`${first.name} exited (code ${first.code}, signal ${first.signal}); stopping the others`);
  stopAll('SIGTERM');
}
const results = await Promise.all(children.map((c) => c.exited));
if (database) results.push(await database.stop());
const clean = results.every((r) => r.code === 0);
if (!clean) {
  for (const r of results) if (r.code !== 0) console.error(`${r.name} stopped with code ${r.code}, signal ${r.signal}`);
}
process.exit(clean && requested ? 0 : 1);

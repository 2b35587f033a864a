#!/usr/bin/env node
// Runs the built gateway and agent side by side on this machine (npm start).
// Both bind 127.0.0.1 and keep their data under ./data. Ctrl-C (SIGINT) or
// SIGTERM stops both gracefully; a service still running after the grace
// period is killed. Any flag given here is passed to both, e.g.
//   npm start -- --log-level debug
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GRACE_MS = 4_000;

const services = [
  { name: 'gateway', args: ['--grpc-port', '9090', '--http-port', '8080', '--data-dir', 'data/gateway'] },
  { name: 'agent', args: ['--grpc-port', '9190', '--http-port', '9191', '--data-dir', 'data/agent'] },
];

const env = { ...process.env };
// Coloured single lines for a person at a terminal; JSON when piped, unless chosen.
env.LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';

const children = services.map(({ name, args }) => {
  const entry = join(root, 'dist/apps', name, 'apps', name, 'src/main.js');
  if (!existsSync(entry)) {
    console.error(`${entry} is missing: run \`npm run build\` (npm start does it for you)`);
    process.exit(1);
  }
  const child = spawn(process.execPath, [entry, '--host', '127.0.0.1', ...args, ...process.argv.slice(2)], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ name, code, signal })));
  return { name, child, exited };
});

// Pushes start once alerting is installed for the agent's cluster: say how, once the agent has registered.
const CLUSTER_URL = 'http://127.0.0.1:8080/api/v1/clusters/local';
const ADMIN_PAGE_URL = 'http://127.0.0.1:8080/admin/';
void (async () => {
  for (let attempt = 0; attempt < 60; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const response = await fetch(CLUSTER_URL);
      if (response.status !== 200) continue;
      const cluster = await response.json();
      if (!cluster.capabilities.some((c) => c.name === 'alerting')) {
        console.log(
          `\nalerting is not installed for cluster "local": the agent queues but does not push. Install it on\n` +
            `the admin page, ${ADMIN_PAGE_URL}, or with\n` +
            `  curl -X POST ${CLUSTER_URL}/capabilities/alerting/install\n`,
        );
      } else {
        console.log(`\nadmin page: ${ADMIN_PAGE_URL}\n`);
      }
      return;
    } catch {
      // not up yet
    }
  }
})();

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

// One service exiting on its own (a crash, a port in use) takes the other down too.
const first = await Promise.race(children.map((c) => c.exited));
if (!requested) {
  console.error(`${first.name} exited (code ${first.code}, signal ${first.signal}); stopping the others`);
  stopAll('SIGTERM');
}
const results = await Promise.all(children.map((c) => c.exited));
const clean = results.every((r) => r.code === 0);
process.exit(clean && requested ? 0 : 1);

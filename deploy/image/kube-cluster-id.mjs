// The agent's init step in Kubernetes: writes `AGENT_CLUSTER_ID=<uid of the
// kube-system namespace>` to the file named by its argument, which the agent
// container reads with `node --env-file` (an AGENT_CLUSTER_ID set on the
// container wins). The namespace UID is the cluster's stable id: it survives
// agent reinstalls and differs between clusters. Reaches the API server as
// client libraries do in a pod: KUBERNETES_SERVICE_HOST/PORT, the service
// account's token and CA (KUBE_SERVICE_ACCOUNT_DIR overrides their folder).
// Needs `get` on namespaces/kube-system. Exits non-zero with one line saying
// why, so the pod waits in Init:Error/CrashLoopBackOff instead of starting
// with a wrong id.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';

const output = process.argv[2];
const accountDir = process.env.KUBE_SERVICE_ACCOUNT_DIR || '/var/run/secrets/kubernetes.io/serviceaccount';
const host = process.env.KUBERNETES_SERVICE_HOST;
const port = process.env.KUBERNETES_SERVICE_PORT || '443';

function fail(message) {
  console.error(`kube-cluster-id: ${message}`);
  process.exit(1);
}

if (!output) fail('usage: kube-cluster-id.mjs <env file to write>');
if (!host) fail('KUBERNETES_SERVICE_HOST is not set: not running in a pod; set AGENT_CLUSTER_ID instead');

let token;
let ca;
try {
  token = readFileSync(`${accountDir}/token`, 'utf8').trim();
  ca = readFileSync(`${accountDir}/ca.crt`);
} catch (error) {
  fail(
    `cannot read the service account's token and CA in ${accountDir} (${error.message}); is automountServiceAccountToken off?`,
  );
}

const body = await new Promise((resolve, reject) => {
  const req = request(
    {
      host,
      port,
      path: '/api/v1/namespaces/kube-system',
      method: 'GET',
      ca,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      timeout: 15_000,
    },
    (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(text)
          : reject(
              new Error(`GET /api/v1/namespaces/kube-system answered ${response.statusCode}: ${text.slice(0, 300)}`),
            ),
      );
    },
  );
  req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
  req.on('error', reject);
  req.end();
}).catch((error) => fail(error.message));

const uid = JSON.parse(body)?.metadata?.uid;
// The agent's cluster id rule: 1 to 128 letters, digits, ".", "_", "-".
if (typeof uid !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/.test(uid))
  fail(`kube-system has no usable uid: ${JSON.stringify(uid)}`);
// Written whole or not at all: a restarted init container never leaves half a file.
writeFileSync(`${output}.tmp`, `AGENT_CLUSTER_ID=${uid}\n`);
renameSync(`${output}.tmp`, output);
console.log(JSON.stringify({ event: 'cluster-id', clusterId: uid, file: output }));

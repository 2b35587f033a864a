// `npm start -- --demo-kube-events`: a stand-in Kubernetes API server (the
// test fixture FakeKubeApi, HTTPS on 127.0.0.1) with a trickle of realistic
// events, for the agent's event source to watch. Writes the kubeconfig to
// <dir>/kubeconfig, prints one line once it serves, and runs until stopped.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeKubeApi, type EventSpec, type EventsV1Event } from '@app/testing';

const dir = process.argv[2] ?? 'data/demo-kube';
const EVERY_MS = Number(process.env.DEMO_KUBE_EVENTS_EVERY_MS ?? 2000);
mkdirSync(dir, { recursive: true });
// resourceVersions that keep increasing across demo runs, as one cluster's would (the agent resumes from its cursor).
const api = await FakeKubeApi.start({ initialResourceVersion: Math.floor(Date.now() / 10) });
const kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'));

const pod = (namespace: string, name: string) => ({ kind: 'Pod', namespace, name });
/** A cluster's day: what SREs are woken for, what they look at, and chatter the default rules drop. */
const SCENARIOS: EventSpec[] = [
  {
    namespace: 'payments',
    reason: 'BackOff',
    type: 'Warning',
    note: 'Back-off restarting failed container api in pod api-7f9c6-x2kqp',
    regarding: pod('payments', 'api-7f9c6-x2kqp'),
  },
  {
    namespace: 'shop',
    reason: 'Pulled',
    type: 'Normal',
    note: 'Successfully pulled image "shop/web:2.4.1" in 1.2s',
    regarding: pod('shop', 'web-5d8f7-abcde'),
  },
  {
    namespace: 'shop',
    reason: 'FailedScheduling',
    type: 'Warning',
    note: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available.',
    regarding: pod('shop', 'web-5d8f7-qwert'),
    reportingController: 'default-scheduler',
  },
  {
    namespace: 'shop',
    reason: 'Unhealthy',
    type: 'Warning',
    note: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    regarding: pod('shop', 'web-5d8f7-abcde'),
  },
  {
    namespace: 'data',
    reason: 'FailedMount',
    type: 'Warning',
    note: 'MountVolume.SetUp failed for volume "pvc-3f1c" : rpc error: code = DeadlineExceeded',
    regarding: pod('data', 'postgres-0'),
  },
  {
    namespace: 'shop',
    reason: 'ScalingReplicaSet',
    type: 'Normal',
    note: 'Scaled up replica set web-5d8f7 to 4',
    regarding: { kind: 'Deployment', namespace: 'shop', name: 'web', apiVersion: 'apps/v1' },
    reportingController: 'deployment-controller',
  },
  {
    namespace: 'default',
    reason: 'OOMKilling',
    type: 'Warning',
    note: 'Memory cgroup out of memory: Killed process 4242 (java)',
    regarding: { kind: 'Node', namespace: '', name: 'worker-2' },
    reportingController: 'kernel-monitor',
  },
  {
    namespace: 'batch',
    reason: 'Evicted',
    type: 'Warning',
    note: 'The node was low on resource: memory.',
    regarding: pod('batch', 'report-28374-kq2x'),
  },
  {
    namespace: 'default',
    reason: 'NodeNotReady',
    type: 'Normal',
    note: 'Node worker-3 status is now: NodeNotReady',
    regarding: { kind: 'Node', namespace: '', name: 'worker-3' },
    reportingController: 'node-controller',
  },
];

let crashLoop: EventsV1Event | undefined;
let tick = 0;
const timer = setInterval(() => {
  const spec = SCENARIOS[tick++ % SCENARIOS.length];
  // The crash-looping pod's BackOff is one event seen again and again (series count), as the kubelet reports it.
  if (spec.reason === 'BackOff' && crashLoop) crashLoop = api.repeatEvent(crashLoop);
  else if (spec.reason === 'BackOff') crashLoop = api.createEvent(spec);
  else api.createEvent(spec);
}, EVERY_MS);

console.log(`demo Kubernetes API server on ${api.url}: kubeconfig ${kubeconfig}, an event every ${EVERY_MS} ms`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    clearInterval(timer);
    void api.close().then(() => process.exit(0));
  });
}

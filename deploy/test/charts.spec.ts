import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/testing';
import { AGENT_CHART, GATEWAY_CHART, helm } from './helm.js';
import {
  DATA_DIR,
  parseManifests,
  podSpec,
  policyProblems,
  renderChart,
  validateSchema,
  type K8sObject,
} from './manifests.js';

// The Helm charts, rendered by the real Helm with each value set an SRE
// would use, validated against the Kubernetes API schemas and the policies
// every workload must meet; then what each chart promises.

const TOKEN = '0123456789ab.' + 'A'.repeat(43);
const PIN = 'sha256:' + 'ab'.repeat(32);
/** The agent's required values: what the join command sets. */
const JOIN = [
  '--set',
  'gateway.address=gw.example.com:9090',
  '--set',
  `join.token=${TOKEN}`,
  '--set',
  `join.pin=${PIN}`,
];

const RENDERINGS: Record<string, () => K8sObject[]> = {
  'gateway, default values (sqlite)': () => renderChart(GATEWAY_CHART),
  'gateway, values-postgres.yaml': () => renderChart(GATEWAY_CHART, ['-f', `${GATEWAY_CHART}/values-postgres.yaml`]),
  'gateway, TLS and admin token from Secrets, receivers, ServiceMonitor': () =>
    renderChart(GATEWAY_CHART, [
      ...['--set', 'tls.existingSecret=gw-tls', '--set', 'adminToken.existingSecret=gw-admin'],
      ...['--set', 'receivers.existingSecret=gw-receivers', '--set', 'serviceMonitor.enabled=true'],
    ]),
  'agent, default values with the join values': () => renderChart(AGENT_CHART, JOIN),
  'agent, fixed cluster id, events of two namespaces, rules, TLS, admin token Secret': () =>
    renderChart(AGENT_CHART, [
      ...JOIN,
      ...[
        '--set',
        'clusterId=prod-eu-1',
        '--set',
        'kubeEvents.namespaces={payments,web}',
        '--set',
        'kubeEvents.rules=rules: []',
      ],
      ...['--set', 'tls.existingSecret=agent-tls', '--set', 'adminToken.existingSecret=agent-admin'],
      ...[
        '--set',
        'networkPolicy.notifyFromNamespaces={payments,web}',
        '--set',
        'networkPolicy.metricsFromNamespaces={monitoring}',
      ],
    ]),
  'agent, join Secret existing': () =>
    renderChart(AGENT_CHART, ['--set', 'gateway.address=gw:9090', '--set', 'join.existingSecret=agent-join']),
};

const find = (objects: K8sObject[], kind: string, suffix = '') =>
  objects.filter((o) => o.kind === kind && o.metadata.name.endsWith(suffix));
const only = (objects: K8sObject[], kind: string, suffix = '') => {
  const found = find(objects, kind, suffix);
  expect(found.map((o) => o.metadata.name)).toHaveLength(1);
  return found[0];
};
type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
const envOf = (object: K8sObject) =>
  podSpec(object)!.containers[0] as unknown as { env: Env; resources: { limits: { memory: string } } };
const variable = (object: K8sObject, name: string) => envOf(object).env.find((e) => e.name === name);

describe('the Helm charts', () => {
  it.each([GATEWAY_CHART, AGENT_CHART])('%s passes helm lint --strict', (chart) => {
    const values = chart === AGENT_CHART ? JOIN : [];
    expect(helm(['lint', '--strict', chart, ...values])).toContain('0 chart(s) failed');
  });

  describe.each(Object.keys(RENDERINGS))('%s', (name) => {
    let objects: K8sObject[];
    beforeAll(() => (objects = RENDERINGS[name]()));

    it('validates against the Kubernetes API schemas', async () => {
      expect(objects.length).toBeGreaterThan(3);
      for (const object of objects) await validateSchema(object);
    });

    it('runs as non-root on a read-only root filesystem, probed, with resources, a pinned image and no inline secret', () => {
      expect(objects.some((o) => podSpec(o))).toBe(true);
      expect(policyProblems(objects)).toEqual([]);
    });

    it('puts every object in the release namespace (cluster-scoped ones aside)', () => {
      const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding']);
      for (const object of objects) {
        if (clusterScoped.has(object.kind) || /Role(Binding)?$/.test(object.kind)) continue;
        expect([object.kind, object.metadata.namespace]).toEqual([object.kind, 'downstream-alerting']);
      }
    });
  });

  it('catches what is broken: a schema error, every policy, an unknown kind (the broken fixture)', async () => {
    const [schemaError, policyError, unknownKind] = parseManifests(
      readFileSync(join(repoRoot, 'deploy/test/fixtures/broken.yaml'), 'utf8'),
    );
    await expect(validateSchema(schemaError)).rejects.toThrow(/Deployment\/schema-error: .*replicas must be integer/s);
    await expect(validateSchema(schemaError)).rejects.toThrow(/containerPort must be integer/);
    await validateSchema(policyError);
    await expect(validateSchema(unknownKind)).rejects.toThrow('no schema for example.com/v1 Mystery');
    const at = 'Deployment/policy-error';
    expect(policyProblems([policyError])).toEqual([
      `${at}: pod securityContext.runAsNonRoot is not true`,
      `${at}: pod securityContext.runAsUser is not a non-root uid`,
      `${at} container agent: readOnlyRootFilesystem is not true`,
      `${at} container agent: allowPrivilegeEscalation is not false`,
      `${at} container agent: capabilities do not drop ALL`,
      `${at} container agent: image ghcr.io/downstream-alerting/downstream-alerting-agent:latest is not pinned to a version`,
      `${at} container agent: no cpu and memory requests`,
      `${at} container agent: no memory limit`,
      `${at} container agent: no readinessProbe`,
      `${at} container agent: no livenessProbe`,
      `${at} container agent: AGENT_JOIN_TOKEN is written inline, not taken from a Secret`,
      `${at} container agent: /tmp is mounted writable`,
    ]);
  });

  it('refuses a "latest" image tag and a missing gateway address at render time', () => {
    expect(() => renderChart(GATEWAY_CHART, ['--set', 'image.tag=latest'])).toThrow('"latest" is not allowed');
    expect(() => renderChart(AGENT_CHART, ['--set', `join.token=${TOKEN}`, '--set', `join.pin=${PIN}`])).toThrow(
      'gateway.address',
    );
    expect(() => renderChart(GATEWAY_CHART, ['--set', 'storage.type=mysql'])).toThrow('must be sqlite or postgres');
  });
});

describe('the agent chart', () => {
  const objects = () => renderChart(AGENT_CHART, JOIN);

  it('runs one agent (Recreate) on a kept PersistentVolumeClaim: the queue has one owner', () => {
    const rendered = objects();
    const deployment = only(rendered, 'Deployment');
    const spec = deployment.spec as { replicas: number; strategy: { type: string } };
    expect([spec.replicas, spec.strategy.type]).toEqual([1, 'Recreate']);
    const claim = only(rendered, 'PersistentVolumeClaim');
    expect(claim.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(podSpec(deployment)!.volumes!.find((v) => v.name === 'data')).toEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: claim.metadata.name },
    });
    expect(variable(deployment, 'AGENT_DATA_DIR')?.value).toBe(DATA_DIR);
    expect(find(rendered, 'DaemonSet')).toEqual([]);
  });

  it('takes the join token and pin from a Secret holding the --set values, the gateway address from values', () => {
    const rendered = objects();
    const deployment = only(rendered, 'Deployment');
    const secret = only(rendered, 'Secret');
    expect(secret.stringData).toEqual({ token: TOKEN, pin: PIN });
    expect(variable(deployment, 'AGENT_JOIN_TOKEN')?.valueFrom?.secretKeyRef).toMatchObject({
      name: secret.metadata.name,
      key: 'token',
    });
    expect(variable(deployment, 'AGENT_GATEWAY_PIN')?.valueFrom?.secretKeyRef).toMatchObject({
      name: secret.metadata.name,
      key: 'pin',
    });
    expect(variable(deployment, 'AGENT_GATEWAY_ADDRESS')?.value).toBe('gw.example.com:9090');
    expect(JSON.stringify(deployment)).not.toContain(TOKEN);
  });

  it('reads AGENT_CLUSTER_ID from the kube-system namespace UID (init container), or takes a fixed one', () => {
    const deployment = only(objects(), 'Deployment');
    const pod = podSpec(deployment)!;
    const init = pod.initContainers![0] as unknown as { command: string[] };
    expect(init.command).toEqual(['node', 'bin/kube-cluster-id.mjs', '/var/run/downstream-alerting/cluster-id.env']);
    const agent = pod.containers[0] as unknown as { command: string[] };
    expect(agent.command).toEqual([
      'node',
      '--env-file=/var/run/downstream-alerting/cluster-id.env',
      'dist/apps/agent/apps/agent/src/main.js',
    ]);
    expect(variable(deployment, 'AGENT_CLUSTER_ID')).toBeUndefined();

    const fixed = only(renderChart(AGENT_CHART, [...JOIN, '--set', 'clusterId=prod-eu-1']), 'Deployment');
    expect(podSpec(fixed)!.initContainers).toBeUndefined();
    expect(variable(fixed, 'AGENT_CLUSTER_ID')?.value).toBe('prod-eu-1');
  });

  it('grants read on events (events.k8s.io and core) and on the kube-system namespace, nothing else', () => {
    const rendered = objects();
    const rules = (suffix: string) => only(rendered, 'ClusterRole', suffix).rules;
    expect(rules('-events')).toEqual([
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(rules('-cluster-id')).toEqual([
      { apiGroups: [''], resources: ['namespaces'], resourceNames: ['kube-system'], verbs: ['get'] },
    ]);
    const account = only(rendered, 'ServiceAccount');
    for (const binding of find(rendered, 'ClusterRoleBinding')) {
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: account.metadata.name, namespace: 'downstream-alerting' },
      ]);
    }
    expect(podSpec(only(rendered, 'Deployment'))).toMatchObject({ serviceAccountName: account.metadata.name });

    // Events of listed namespaces only: a Role and RoleBinding in each, no ClusterRole for events.
    const scoped = renderChart(AGENT_CHART, [...JOIN, '--set', 'kubeEvents.namespaces={payments,web}']);
    expect(find(scoped, 'Role').map((r) => r.metadata.namespace)).toEqual(['payments', 'web']);
    expect(find(scoped, 'ClusterRole', '-events')).toEqual([]);
    expect(variable(only(scoped, 'Deployment'), 'AGENT_KUBE_EVENTS_NAMESPACES')?.value).toBe('payments,web');
  });

  it('probes grpc.health.v1 for readiness and /healthz for liveness', () => {
    const agent = podSpec(only(objects(), 'Deployment'))!.containers[0] as unknown as Record<string, unknown>;
    expect(agent.readinessProbe).toMatchObject({ grpc: { port: 9190 } });
    expect(agent.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    expect(agent.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
  });

  it('limits memory with headroom above the restart peak of the agent ingest benchmark in bench/README.md (≤ 424 MB with 1,000,000 queued)', () => {
    const limit = envOf(only(objects(), 'Deployment')).resources.limits.memory;
    const bytes = Number(/^(\d+)Mi$/.exec(limit)![1]) * 2 ** 20;
    expect(bytes).toBeGreaterThanOrEqual(1.25 * 424e6);
  });

  it('admits Notify only from the listed namespaces (nothing while none is listed)', () => {
    expect(only(objects(), 'NetworkPolicy').spec).toMatchObject({ policyTypes: ['Ingress'], ingress: [] });
    const listed = only(
      renderChart(AGENT_CHART, [...JOIN, '--set', 'networkPolicy.notifyFromNamespaces={payments,web}']),
      'NetworkPolicy',
    );
    expect((listed.spec as { ingress: unknown[] }).ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: {
              matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['payments', 'web'] }],
            },
          },
        ],
        ports: [{ port: 'grpc', protocol: 'TCP' }],
      },
    ]);
    const service = only(objects(), 'Service');
    expect((service.spec as { ports: { name: string; port: number }[] }).ports.map((p) => [p.name, p.port])).toEqual([
      ['grpc', 9190],
      ['http', 9191],
    ]);
  });
});

describe('the gateway chart', () => {
  it('sqlite (default): one StatefulSet replica with its volume, Services for agents and admins, no ServiceMonitor, no PDB', () => {
    const rendered = renderChart(GATEWAY_CHART);
    const set = only(rendered, 'StatefulSet');
    const spec = set.spec as { replicas: number; volumeClaimTemplates: { metadata: { name: string } }[] };
    expect(spec.replicas).toBe(1);
    expect(spec.volumeClaimTemplates.map((t) => t.metadata.name)).toEqual(['data']);
    expect(variable(set, 'GATEWAY_STORAGE')?.value).toBe('sqlite');
    expect(variable(set, 'GATEWAY_ADVERTISED_ADDRESS')?.value).toBe(
      'test-downstream-alerting-gateway-grpc.downstream-alerting.svc:9090',
    );
    const grpc = only(rendered, 'Service', '-grpc').spec as { type: string; ports: { port: number }[] };
    expect([grpc.type, grpc.ports[0].port]).toEqual(['LoadBalancer', 9090]);
    expect((only(rendered, 'Service', '-http').spec as { ports: { port: number }[] }).ports[0].port).toBe(8080);
    expect(find(rendered, 'ServiceMonitor')).toEqual([]);
    expect(find(rendered, 'PodDisruptionBudget')).toEqual([]);
    expect(find(rendered, 'Deployment')).toEqual([]);
    const gateway = podSpec(set)!.containers[0] as unknown as Record<string, unknown>;
    expect(gateway.readinessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    expect(gateway.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
  });

  it('postgres: N Deployment replicas, database URL, admin token and TLS (cert-manager) from Secrets, a PDB, a ServiceMonitor', () => {
    const rendered = renderChart(GATEWAY_CHART, ['-f', `${GATEWAY_CHART}/values-postgres.yaml`]);
    const deployment = only(rendered, 'Deployment');
    expect((deployment.spec as { replicas: number }).replicas).toBe(3);
    expect(find(rendered, 'StatefulSet')).toEqual([]);
    expect(variable(deployment, 'GATEWAY_STORAGE')?.value).toBe('postgres');
    expect(variable(deployment, 'GATEWAY_POSTGRES_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'downstream-alerting-db',
      key: 'database-url',
    });
    expect(variable(deployment, 'GATEWAY_ADMIN_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'downstream-alerting-admin',
      key: 'admin-token',
    });
    const certificate = only(rendered, 'Certificate');
    expect(certificate.spec).toMatchObject({ issuerRef: { name: 'downstream-alerting-ca' } });
    const tls = podSpec(deployment)!.volumes!.find((v) => v.name === 'tls');
    expect(tls).toEqual({
      name: 'tls',
      secret: { secretName: (certificate.spec as { secretName: string }).secretName },
    });
    expect(variable(deployment, 'GATEWAY_TLS_CERT_FILE')?.value).toBe('/etc/downstream-alerting/tls/tls.crt');
    expect(only(rendered, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
    expect(only(rendered, 'ServiceMonitor').spec).toMatchObject({ endpoints: [{ port: 'http', path: '/metrics' }] });

    // Replicas must share the admin token and the TLS identity: refused without them.
    expect(() =>
      renderChart(GATEWAY_CHART, ['--set', 'storage.type=postgres', '--set', 'storage.postgres.existingSecret=db']),
    ).toThrow('adminToken.existingSecret');
  });

  it('sets every setting it names to a setting the gateway has (and the agent chart likewise)', () => {
    // Every settings file of the app's config folder (the gateway's storage settings have their own).
    const settingsText = (app: string) =>
      readdirSync(join(repoRoot, `apps/${app}/src/config`))
        .filter((file) => file.endsWith('-settings.ts'))
        .map((file) => readFileSync(join(repoRoot, `apps/${app}/src/config`, file), 'utf8'))
        .join('\n');
    const known = (app: string) => new Set([...settingsText(app).matchAll(/env: '([A-Z_]+)'/g)].map((m) => m[1]));
    const shared = ['LOG_LEVEL', 'LOG_FORMAT'];
    // Names the apps do not have yet, each tied to the work that adds it.
    const pending = new Set([
      'AGENT_KUBE_EVENTS', // the Kubernetes event source (issue 23)
      'AGENT_KUBE_EVENTS_NAMESPACES',
      'AGENT_KUBE_EVENTS_MIN_TYPE',
      'AGENT_KUBE_EVENTS_RULES_FILE',
    ]);
    const renderings: [string, K8sObject[]][] = [
      [
        'gateway',
        renderChart(GATEWAY_CHART, [
          '-f',
          `${GATEWAY_CHART}/values-postgres.yaml`,
          '--set',
          'receivers.existingSecret=r',
        ]),
      ],
      ['gateway', renderChart(GATEWAY_CHART)],
      [
        'agent',
        renderChart(AGENT_CHART, [
          ...JOIN,
          '--set',
          'kubeEvents.rules=x: 1',
          '--set',
          'tls.existingSecret=t',
          '--set',
          'adminToken.existingSecret=a',
        ]),
      ],
    ];
    for (const [app, rendered] of renderings) {
      const names = rendered.flatMap((o) => (podSpec(o) ? envOf(o).env.map((e) => e.name) : []));
      const unknown = names.filter((n) => !known(app).has(n) && !shared.includes(n) && !pending.has(n));
      expect([app, unknown]).toEqual([app, []]);
    }
  });
});

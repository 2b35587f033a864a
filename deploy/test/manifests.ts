import { parseAllDocuments } from 'yaml';
import { helm } from './helm.js';

/** A Kubernetes object as rendered: enough typing for the checks, the rest is the schema's job. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** `helm template` of a chart with `args` (--set …, -f …), parsed into objects. */
export function renderChart(
  chart: string,
  args: string[] = [],
  release = 'test',
  namespace = 'downstream-alerting',
): K8sObject[] {
  return parseManifests(helm(['template', release, chart, '--namespace', namespace, ...args]));
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`YAML: ${document.errors[0].message}`);
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

// Which package holds the schema of an API group; core and built-in groups are kubernetes-models'.
const CRD_MODELS: Record<string, string> = {
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

/**
 * Validates an object against its kind's Kubernetes API schema
 * (kubernetes-models); throws naming the object and the failing fields. A kind
 * without a known schema is an error too: nothing goes unchecked.
 */
export async function validateSchema(object: K8sObject): Promise<void> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const path =
    group === ''
      ? `kubernetes-models/${version}/${object.kind}`
      : `${CRD_MODELS[group] ?? 'kubernetes-models'}/${group}/${version}/${object.kind}`;
  let model: new (data: unknown) => { validate(): void };
  try {
    model = ((await import(path)) as Record<string, new (data: unknown) => { validate(): void }>)[object.kind];
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata?.name}: no schema for ${object.apiVersion} ${object.kind}`, {
      cause: error,
    });
  }
  try {
    new model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata?.name}: ${(error as Error).message}`, { cause: error });
  }
}

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }[];
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; [source: string]: unknown }[];
}

/** The pod template of a workload, or undefined for other kinds. */
export function podSpec(object: K8sObject): PodSpec | undefined {
  if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind)) return undefined;
  return (object.spec as { template: { spec: PodSpec } }).template.spec;
}

/** Settings whose values are credentials: they must come from a Secret, never be written into a manifest. */
const SECRET_SETTING = /TOKEN|PASSWORD|SECRET|POSTGRES_URL|_PIN$/;
/** The one writable path of the images. */
export const DATA_DIR = '/var/lib/downstream-alerting';

/**
 * What the charts promise of every workload, as a list of problems (empty:
 * all hold): non-root, read-only root filesystem and the data directory as the
 * only writable mount, no privilege escalation, probes, resources, a pinned
 * image, credentials from Secrets.
 */
export function policyProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const pod = podSpec(object);
    if (!pod) continue;
    const where = `${object.kind}/${object.metadata.name}`;
    if (pod.securityContext?.runAsNonRoot !== true)
      problems.push(`${where}: pod securityContext.runAsNonRoot is not true`);
    if (!pod.securityContext?.runAsUser) problems.push(`${where}: pod securityContext.runAsUser is not a non-root uid`);
    const containers = [
      ...(pod.initContainers ?? []).map((c) => ({ c, init: true })),
      ...pod.containers.map((c) => ({ c, init: false })),
    ];
    for (const { c, init } of containers) {
      const at = `${where} container ${c.name}`;
      const security = c.securityContext ?? {};
      if (security.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
      if (security.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (!security.capabilities?.drop?.includes('ALL')) problems.push(`${at}: capabilities do not drop ALL`);
      const tag = /^[^@]+:([^:/@]+)$/.exec(c.image)?.[1];
      if (!c.image.includes('@sha256:') && (tag === undefined || tag === 'latest'))
        problems.push(`${at}: image ${c.image} is not pinned to a version`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
        problems.push(`${at}: no cpu and memory requests`);
      if (!c.resources?.limits?.memory) problems.push(`${at}: no memory limit`);
      if (!init && !c.readinessProbe) problems.push(`${at}: no readinessProbe`);
      if (!init && !c.livenessProbe) problems.push(`${at}: no livenessProbe`);
      for (const variable of c.env ?? []) {
        if (SECRET_SETTING.test(variable.name) && !variable.valueFrom?.secretKeyRef) {
          problems.push(`${at}: ${variable.name} is written inline, not taken from a Secret`);
        }
      }
      // Init containers prepare volumes for the main one; the app's container writes only its data directory.
      for (const mount of init ? [] : (c.volumeMounts ?? [])) {
        if (!mount.readOnly && mount.mountPath !== DATA_DIR)
          problems.push(`${at}: ${mount.mountPath} is mounted writable`);
      }
    }
  }
  return problems;
}

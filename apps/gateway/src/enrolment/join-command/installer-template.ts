import { JOIN_CLUSTER_ID_DEFAULT } from '@app/admin-api';
import { packageVersion } from '@app/runtime';

/** The fields opni fills an installer template with: its UserInstallerTemplateSpec (Token, Pin) and ServerInstallerTemplateSpec (Address, Port). */
export interface InstallerTemplateSpec {
  Token: string;
  Pin: string;
  Address: string;
  Port: string;
}

/**
 * The command that installs an agent in a Kubernetes cluster and joins it to
 * this gateway: the agent's Helm chart (deploy/helm/downstream-alerting-agent,
 * run from a release or source checkout) with the address, token and pin as
 * values. A Go template over opni's four fields
 * (capability.Backend/InstallerTemplate); rendered with a token, it is the
 * join command of the admin page and the token API. The cluster id is the
 * kube-system namespace UID, which the chart reads in the cluster.
 */
export const INSTALLER_TEMPLATE =
  'helm upgrade --install downstream-alerting-agent deploy/helm/downstream-alerting-agent ' +
  '--namespace downstream-alerting --create-namespace ' +
  '--set gateway.address={{ .Address }}:{{ .Port }} --set join.token={{ .Token }} --set join.pin={{ .Pin }}';

/**
 * The same join for an agent outside Kubernetes: the built agent started
 * from a release or source checkout. Values the gateway does not know stay
 * shell defaults the user may edit (the cluster id).
 */
export const NODE_INSTALLER_TEMPLATE =
  'AGENT_GATEWAY_ADDRESS={{ .Address }}:{{ .Port }} AGENT_JOIN_TOKEN={{ .Token }} AGENT_GATEWAY_PIN={{ .Pin }} ' +
  `AGENT_CLUSTER_ID=${JOIN_CLUSTER_ID_DEFAULT} node dist/apps/agent/apps/agent/src/main.js`;

/** The agent's image (the Dockerfile's `agent` target), as the agent chart names it; tagged with this release. */
export const AGENT_IMAGE = `ghcr.io/downstream-alerting/downstream-alerting-agent:${packageVersion()}`;

/**
 * The same join in a container (Docker or Podman): the agent's image with a
 * named volume for its data directory, its Notify and HTTP ports published on
 * the host's loopback only, and the cluster id as the same editable shell
 * default (evaluated by the host's shell, where kubectl may be).
 */
export const CONTAINER_INSTALLER_TEMPLATE =
  'docker run -d --name downstream-alerting-agent --restart unless-stopped ' +
  '-v downstream-alerting-agent:/var/lib/downstream-alerting -p 127.0.0.1:9190:9190 -p 127.0.0.1:9191:9191 ' +
  '-e AGENT_HOST=0.0.0.0 -e AGENT_GATEWAY_ADDRESS={{ .Address }}:{{ .Port }} -e AGENT_JOIN_TOKEN={{ .Token }} ' +
  `-e AGENT_GATEWAY_PIN={{ .Pin }} -e AGENT_CLUSTER_ID=${JOIN_CLUSTER_ID_DEFAULT} ${AGENT_IMAGE}`;

// A Go template action, with Go's optional trim markers ("{{- " and " -}}").
const ACTION = /\{\{(- )?(.*?)( -)?\}\}/gs;
const FIELD = /^\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * Renders a template as Go's text/template does for field actions
 * ({{ .Token }}): no escaping, and a trim marker drops the white space on its
 * side. Any other action, an unclosed one, or a field the spec lacks is an
 * error, as in Go.
 */
export function renderInstallerTemplate(template: string, spec: InstallerTemplateSpec): string {
  const fields = spec as unknown as Record<string, string>;
  const text = (segment: string) => {
    if (segment.includes('{{')) throw new Error('installer template: unclosed action');
    return segment;
  };
  let rendered = '';
  let last = 0;
  let trimNext = false;
  for (const action of template.matchAll(ACTION)) {
    let before = text(template.slice(last, action.index));
    if (trimNext) before = before.trimStart();
    rendered += action[1] ? before.trimEnd() : before;
    const field = FIELD.exec(action[2]);
    if (!field) throw new Error(`installer template: unsupported action {{${action[2]}}}`);
    if (!Object.hasOwn(fields, field[1])) throw new Error(`installer template: can't evaluate field ${field[1]}`);
    rendered += fields[field[1]];
    last = action.index + action[0].length;
    trimNext = action[3] !== undefined;
  }
  const rest = text(template.slice(last));
  return rendered + (trimNext ? rest.trimStart() : rest);
}

/** Address and Port of the address agents dial ("host:port" or "[v6]:port"). */
export function serverSpec(agentAddress: string): Pick<InstallerTemplateSpec, 'Address' | 'Port'> {
  const colon = agentAddress.lastIndexOf(':');
  return { Address: agentAddress.slice(0, colon), Port: agentAddress.slice(colon + 1) };
}

/** The join command for a bootstrap token: INSTALLER_TEMPLATE (Kubernetes) rendered with it, the pin and the gateway's address. */
export function joinCommand(agentAddress: string, token: string, pin: string): string {
  return renderInstallerTemplate(INSTALLER_TEMPLATE, { Token: token, Pin: pin, ...serverSpec(agentAddress) });
}

/** The join command in a container: CONTAINER_INSTALLER_TEMPLATE rendered likewise. */
export function containerJoinCommand(agentAddress: string, token: string, pin: string): string {
  return renderInstallerTemplate(CONTAINER_INSTALLER_TEMPLATE, { Token: token, Pin: pin, ...serverSpec(agentAddress) });
}

/** The join command outside Kubernetes: NODE_INSTALLER_TEMPLATE rendered likewise. */
export function nodeJoinCommand(agentAddress: string, token: string, pin: string): string {
  return renderInstallerTemplate(NODE_INSTALLER_TEMPLATE, { Token: token, Pin: pin, ...serverSpec(agentAddress) });
}

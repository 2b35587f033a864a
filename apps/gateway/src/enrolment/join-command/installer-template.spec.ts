import { JOIN_CLUSTER_ID_DEFAULT } from '@app/admin-api';
import {
  AGENT_IMAGE,
  CONTAINER_INSTALLER_TEMPLATE,
  containerJoinCommand,
  INSTALLER_TEMPLATE,
  joinCommand,
  NODE_INSTALLER_TEMPLATE,
  nodeJoinCommand,
  renderInstallerTemplate,
  serverSpec,
} from './installer-template.js';

const SPEC = { Token: 'abc123.s3cr3t-_x', Pin: 'sha256:00ff', Address: 'gw.example', Port: '9090' };

describe('the installer template and the join command', () => {
  it.each([INSTALLER_TEMPLATE, CONTAINER_INSTALLER_TEMPLATE, NODE_INSTALLER_TEMPLATE])(
    "uses opni's four fields and nothing else: %s",
    (template) => {
      const actions = [...template.matchAll(/\{\{(.*?)\}\}/g)].map((match) => match[1].trim()).sort();
      expect(actions).toEqual(['.Address', '.Pin', '.Port', '.Token']);
    },
  );

  it('renders to the join command: the agent chart installed with the address, token and pin as values', () => {
    const command = joinCommand('gw.example:9090', SPEC.Token, SPEC.Pin);
    expect(command).toBe(renderInstallerTemplate(INSTALLER_TEMPLATE, SPEC));
    expect(command).toBe(
      'helm upgrade --install downstream-alerting-agent deploy/helm/downstream-alerting-agent ' +
        '--namespace downstream-alerting --create-namespace ' +
        `--set gateway.address=gw.example:9090 --set join.token=${SPEC.Token} --set join.pin=sha256:00ff`,
    );
  });

  it('renders the form outside Kubernetes: address, token, pin, and the cluster id as an editable shell default', () => {
    const command = nodeJoinCommand('gw.example:9090', SPEC.Token, SPEC.Pin);
    expect(command).toBe(renderInstallerTemplate(NODE_INSTALLER_TEMPLATE, SPEC));
    expect(command).toBe(
      `AGENT_GATEWAY_ADDRESS=gw.example:9090 AGENT_JOIN_TOKEN=${SPEC.Token} AGENT_GATEWAY_PIN=sha256:00ff ` +
        `AGENT_CLUSTER_ID=${JOIN_CLUSTER_ID_DEFAULT} node dist/apps/agent/apps/agent/src/main.js`,
    );
  });

  it('renders the container form: the agent image with a volume, loopback ports, and the same values', () => {
    const command = containerJoinCommand('gw.example:9090', SPEC.Token, SPEC.Pin);
    expect(command).toBe(renderInstallerTemplate(CONTAINER_INSTALLER_TEMPLATE, SPEC));
    expect(command).toBe(
      'docker run -d --name downstream-alerting-agent --restart unless-stopped ' +
        '-v downstream-alerting-agent:/var/lib/downstream-alerting -p 127.0.0.1:9190:9190 -p 127.0.0.1:9191:9191 ' +
        `-e AGENT_HOST=0.0.0.0 -e AGENT_GATEWAY_ADDRESS=gw.example:9090 -e AGENT_JOIN_TOKEN=${SPEC.Token} ` +
        `-e AGENT_GATEWAY_PIN=sha256:00ff -e AGENT_CLUSTER_ID=${JOIN_CLUSTER_ID_DEFAULT} ${AGENT_IMAGE}`,
    );
    expect(AGENT_IMAGE).toMatch(/^ghcr\.io\/downstream-alerting\/downstream-alerting-agent:\d+\.\d+\.\d+/);
  });

  it('splits host:port and [v6]:port into Address and Port', () => {
    expect(serverSpec('gw.example:9090')).toEqual({ Address: 'gw.example', Port: '9090' });
    expect(serverSpec('[::1]:9090')).toEqual({ Address: '[::1]', Port: '9090' });
  });

  it("follows Go's text/template for field actions: spaces inside, trim markers, no escaping", () => {
    expect(renderInstallerTemplate('a={{.Token}} b={{   .Pin   }}', SPEC)).toBe('a=abc123.s3cr3t-_x b=sha256:00ff');
    expect(renderInstallerTemplate('x  {{- .Port -}}  \n y', SPEC)).toBe('x9090y');
    expect(renderInstallerTemplate('<{{ .Address }}>&', { ...SPEC, Address: '<&>' })).toBe('<<&>>&');
    expect(renderInstallerTemplate('no actions', SPEC)).toBe('no actions');
  });

  it('refuses what it does not render as Go would: other actions, unknown fields, unclosed actions', () => {
    expect(() => renderInstallerTemplate('{{ .ClusterId }}', SPEC)).toThrow("can't evaluate field ClusterId");
    expect(() => renderInstallerTemplate('{{ arg "input" "Gateway" }}', SPEC)).toThrow('unsupported action');
    expect(() => renderInstallerTemplate('{{ .Token', SPEC)).toThrow('unclosed action');
    expect(() => renderInstallerTemplate('{{ .Token }} {{', SPEC)).toThrow('unclosed action');
  });
});

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { ClusterView, CreatedTokenView } from '@app/admin-api';
import { gatewayAdmin, repoRoot, spawnApp, waitFor, type SpawnedApp } from '@app/testing';
import { dockerfileStages, stageArgs } from './dockerfile.js';
import { AGENT_CHART } from './helm.js';

// The container form of the join command, played as a person's shell and a
// container runtime would: a real shell runs the printed command with a
// stand-in `docker` on PATH that records its arguments (the shell does the
// quoting and expands the cluster id's default), the arguments are checked
// against what the image really is (the Dockerfile's agent target, the name
// and version the agent chart pulls, the ports the agent listens on by
// default), and the image's entry point runs with the command's environment:
// the agent joins the real gateway. Not here: an image (no container engine),
// the container's network (loopback ports instead of AGENT_HOST=0.0.0.0).

const run = promisify(execFile);
const CLUSTER_ID = 'container-cluster';

describe('the container join command', () => {
  let gateway: SpawnedApp;
  let agent: SpawnedApp | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'container-join-'));
    gateway = await spawnApp('gateway');
  });
  afterAll(async () => {
    await agent?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The arguments `docker` receives when a shell runs `command`, with AGENT_CLUSTER_ID set as a person might. */
  async function dockerArguments(command: string): Promise<string[]> {
    const recorded = join(dir, 'docker-args.json');
    const docker = join(dir, 'docker');
    writeFileSync(
      docker,
      `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(recorded)}, JSON.stringify(process.argv.slice(2)));\n`,
    );
    chmodSync(docker, 0o755);
    await run('sh', ['-c', command], {
      env: { ...process.env, PATH: [dir, process.env.PATH].join(delimiter), AGENT_CLUSTER_ID: CLUSTER_ID },
    });
    return JSON.parse(readFileSync(recorded, 'utf8')) as string[];
  }

  it('runs the agent image with its volume, loopback ports and the values; the agent it describes joins', async () => {
    const created = await gatewayAdmin<CreatedTokenView>(gateway.httpAddress, 'POST', '/api/v1/tokens', {});
    expect(created.status).toBe(201);
    const { containerJoinCommand, token, pin } = created.body;
    const args = await dockerArguments(containerJoinCommand);

    expect(args.slice(0, 2)).toEqual(['run', '-d']);
    const image = args.at(-1)!;
    const options = new Map<string, string[]>();
    for (let i = 2; i < args.length - 1; i++) {
      if (!args[i].startsWith('-')) throw new Error(`unexpected argument ${args[i]}`);
      options.set(args[i], [...(options.get(args[i]) ?? []), args[++i]]);
    }
    const env = Object.fromEntries(options.get('-e')!.map((pair) => pair.split(/=(.*)/s, 2)));
    expect(env).toEqual({
      AGENT_HOST: '0.0.0.0',
      AGENT_GATEWAY_ADDRESS: gateway.grpcAddress,
      AGENT_JOIN_TOKEN: token,
      AGENT_GATEWAY_PIN: pin,
      AGENT_CLUSTER_ID: CLUSTER_ID,
    });

    // The image the agent chart pulls, at this release.
    const values = parse(readFileSync(join(repoRoot, AGENT_CHART, 'values.yaml'), 'utf8')) as {
      image: { repository: string };
    };
    const chart = parse(readFileSync(join(repoRoot, AGENT_CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(image).toBe(`${values.image.repository}:${chart.appVersion}`);
    expect(chart.appVersion).toBe(version);

    // The volume holds the image's data directory; the published ports are the agent's defaults, on loopback only.
    const stages = dockerfileStages(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
    const dataDir = stageArgs(stages, 'agent', 'ENV')
      .map((line) => /^AGENT_DATA_DIR=(\S+)$/.exec(line)?.[1])
      .find(Boolean);
    expect(options.get('-v')).toEqual([`downstream-alerting-agent:${dataDir}`]);
    const settings = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
    const defaultPort = (name: string) =>
      new RegExp(`^\\| \`${name}\` \\| [^|]+\\| \`(\\d+)\``, 'm').exec(settings)![1];
    const ports = [defaultPort('AGENT_GRPC_PORT'), defaultPort('AGENT_HTTP_PORT')];
    expect(options.get('-p')).toEqual(ports.map((port) => `127.0.0.1:${port}:${port}`));
    expect(stageArgs(stages, 'agent', 'EXPOSE')).toEqual([ports.join(' ')]);

    // The image's entry point with the command's environment (the container's network aside).
    const entrypoint = JSON.parse(stageArgs(stages, 'agent', 'ENTRYPOINT')[0]) as string[];
    const [node, entry] = entrypoint;
    expect(node).toBe('node');
    delete env.AGENT_HOST;
    agent = await spawnApp('agent', { shell: `${process.execPath} ${entry}`, env });
    await waitFor(
      async () => {
        const cluster = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER_ID}`);
        return cluster.status === 200 && cluster.body.connected;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: `cluster ${CLUSTER_ID} to join and connect` },
    );
  }, 120_000);
});

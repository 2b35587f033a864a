import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtEntry, repoRoot } from '@app/testing';
import { dockerfileStages, stageArgs } from './dockerfile.js';
import { AGENT_CHART, GATEWAY_CHART } from './helm.js';
import { DATA_DIR, podSpec, renderChart } from './manifests.js';

// The Dockerfile cannot be built here (no Docker engine): this reads it and
// checks what the issue and the charts rely on, so that the image and the
// charts cannot drift apart (entry points, the init script's path, the data
// directory, the user).

describe('the Dockerfile', () => {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const all = dockerfileStages(text);
  const args = (name: string, keyword: string) => stageArgs(all, name, keyword);

  it('has a target per app, on Node 22, multi-stage, without HEALTHCHECK', () => {
    expect(all.map((s) => s.name)).toEqual(
      expect.arrayContaining(['build', 'production-dependencies', 'runtime', 'gateway', 'agent']),
    );
    expect(text).toMatch(/^ARG NODE_VERSION=22$/m);
    for (const base of all.filter((s) => s.from.startsWith('node:')))
      expect(base.from).toBe('node:${NODE_VERSION}-bookworm-slim');
    expect(text).not.toMatch(/^\s*HEALTHCHECK/m);
  });

  it('ships only production dependencies and the build output, as a non-root user', () => {
    expect(args('production-dependencies', 'RUN').join(' ')).toContain('npm ci --omit=dev');
    expect(args('runtime', 'COPY')).toEqual([
      '--from=production-dependencies /src/node_modules ./node_modules',
      '--from=build /src/package.json ./package.json',
      '--from=build /src/dist ./dist',
      'deploy/image/kube-cluster-id.mjs ./bin/kube-cluster-id.mjs',
    ]);
    expect(args('gateway', 'USER')).toEqual(['1000:1000']);
    expect(args('agent', 'USER')).toEqual(['1000:1000']);
  });

  it('labels the images with OCI annotations', () => {
    const labels = [...args('gateway', 'LABEL'), ...args('agent', 'LABEL')].join(' ');
    for (const key of ['title', 'description', 'source', 'licenses', 'version', 'revision']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
  });

  it("starts each app's built entry point, and the charts run the image's paths as its user", () => {
    const entry = (name: string) => JSON.parse(args(name, 'ENTRYPOINT')[0]) as string[];
    for (const app of ['gateway', 'agent'] as const) {
      const [node, path] = entry(app);
      expect(node).toBe('node');
      expect(join(repoRoot, path)).toBe(builtEntry(app));
      expect(existsSync(builtEntry(app))).toBe(true);
      expect(args(app, 'ENV').join(' ')).toContain(`${app.toUpperCase()}_DATA_DIR=${DATA_DIR}`);
    }
    expect(args('runtime', 'RUN').join(' ')).toContain(`chown 1000:1000 ${DATA_DIR}`);

    const agentPod = podSpec(
      renderChart(AGENT_CHART, ['--set', 'gateway.address=gw:9090', '--set', 'join.existingSecret=j']).find(
        (o) => o.kind === 'Deployment',
      )!,
    )! as unknown as {
      securityContext: { runAsUser: number };
      initContainers: { command: string[] }[];
      containers: { command: string[] }[];
    };
    expect(agentPod.securityContext.runAsUser).toBe(1000);
    expect(agentPod.initContainers[0].command[1]).toBe('bin/kube-cluster-id.mjs');
    expect(agentPod.containers[0].command.at(-1)).toBe(entry('agent')[1]);
    const gatewayPod = podSpec(renderChart(GATEWAY_CHART).find((o) => o.kind === 'StatefulSet')!)!;
    expect(gatewayPod.securityContext?.runAsUser).toBe(1000);
  });
});

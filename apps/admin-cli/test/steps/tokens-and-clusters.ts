import { parse as parseYaml } from 'yaml';
import type { ClusterView, CreatedTokenView, TokenView } from '@app/admin-api';
import { gatewayAdmin } from '@app/testing';
import { CLUSTER, json, type AdminCliSession } from './built-cli.js';

/** `tokens` and `clusters`: create, list, show, revoke; the refusals and their exit statuses. */
export function tokensAndClustersSteps(session: AdminCliSession): void {
  const { run } = session;

  describe('tokens', () => {
    it('create prints the token, pin and join command once; list shows it without the secret; revoke revokes it', async () => {
      const created = json<CreatedTokenView>(
        await run([
          'tokens',
          'create',
          '--ttl',
          '2h',
          '--max-usages',
          '3',
          '-l',
          'team=sre',
          '-l',
          'env=prod',
          '-o',
          'json',
        ]),
      );
      expect(created).toMatchObject({ state: 'active', maxUsages: 3, usages: 0, labels: { team: 'sre', env: 'prod' } });
      expect(created.token.startsWith(`${created.id}.`)).toBe(true);
      expect(created.joinCommand).toContain(created.token);
      expect(Date.parse(created.expiresAt!) - Date.parse(created.createdAt)).toBe(2 * 3_600_000);

      const table = await run(['tokens', 'create']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^Token: +\S+\.\S+$/m);
      const token = /^Token: +(\S+\.\S+)$/m.exec(table.stdout)![1];
      expect(table.stdout).toMatch(/^Join command: +helm upgrade --install /m);
      expect(table.stdout).toContain(`--set join.token=${token}`);
      expect(table.stdout).toMatch(new RegExp(`^In a container: +docker run -d .* -e AGENT_JOIN_TOKEN=${token} `, 'm'));
      expect(table.stdout).toMatch(
        new RegExp(`^Outside Kubernetes: +AGENT_GATEWAY_ADDRESS=\\S+ AGENT_JOIN_TOKEN=${token} `, 'm'),
      );
      expect(table.stderr).toContain('shown only this once');

      const listed = await run(['tokens', 'list', '-o', 'yaml']);
      expect(listed.code).toBe(0);
      const tokens = (parseYaml(listed.stdout) as { tokens: TokenView[] }).tokens;
      expect(tokens.find((t) => t.id === created.id)).toMatchObject({ state: 'active', labels: { team: 'sre' } });
      expect(listed.stdout).not.toContain(created.token);

      const listTable = await run(['tokens', 'list']);
      expect(listTable.stdout.split('\n')[0]).toMatch(/^ID +STATE +USES +EXPIRES +CREATED +LABELS$/);
      expect(listTable.stdout).toMatch(new RegExp(`^${created.id} +active +0/3 `, 'm'));

      expect(json<TokenView>(await run(['tokens', 'revoke', created.id, '-o', 'json']))).toMatchObject({
        id: created.id,
        state: 'revoked',
      });
      const after = json<{ tokens: TokenView[] }>(await run(['tokens', 'list', '-o', 'json']));
      expect(after.tokens.find((t) => t.id === created.id)?.state).toBe('revoked');
    });

    it("create with a bad --ttl: the gateway's message naming the field, exit 1, no token made", async () => {
      const before = json<{ tokens: TokenView[] }>(await run(['tokens', 'list', '-o', 'json'])).tokens.length;
      const result = await run(['tokens', 'create', '--ttl', 'soon']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^downstream-admin: ttl: must be .*\(HTTP 400\)$/m);
      expect(json<{ tokens: TokenView[] }>(await run(['tokens', 'list', '-o', 'json'])).tokens).toHaveLength(before);
    });

    it('revoke of an unknown token: exit 5 (404)', async () => {
      const result = await run(['tokens', 'revoke', '000000000000']);
      expect(result.code).toBe(5);
      expect(result.stderr).toContain('HTTP 404');
    });
  });

  describe('clusters', () => {
    it('list shows the joined cluster as a table, JSON and YAML; -l selects by label', async () => {
      const table = await run(['clusters', 'list']);
      expect(table.code).toBe(0);
      const [header, ...rows] = table.stdout.trimEnd().split('\n');
      expect(header).toMatch(
        /^ID +CONNECTED +ALERTING +HEALTH +QUEUED +AGENT +LAST CONNECTED +LAST NOTIFICATION +LABELS$/,
      );
      expect(rows.find((line) => line.startsWith(`${CLUSTER} `))).toMatch(/ yes +\S.* env=e2e$/);

      const listed = json<{ clusters: ClusterView[] }>(await run(['clusters', 'list', '-o', 'json']));
      expect(listed.clusters.find((c) => c.id === CLUSTER)).toMatchObject({ connected: true, labels: { env: 'e2e' } });
      const yaml = parseYaml((await run(['clusters', 'list', '-o', 'yaml'])).stdout) as { clusters: ClusterView[] };
      expect(yaml.clusters.map((c) => c.id)).toEqual(listed.clusters.map((c) => c.id));

      expect(
        json<{ clusters: ClusterView[] }>(await run(['clusters', 'list', '-l', 'env=e2e', '-o', 'json'])).clusters.map(
          (c) => c.id,
        ),
      ).toEqual([CLUSTER]);
      expect(
        json<{ clusters: ClusterView[] }>(await run(['clusters', 'list', '-l', 'env=nope', '-o', 'json'])).clusters,
      ).toEqual([]);
    });

    it('show prints one cluster; an unknown one is exit 5 (404)', async () => {
      const shown = await run(['clusters', 'show', CLUSTER]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^ID: +${CLUSTER}$`, 'm'));
      expect(shown.stdout).toMatch(/^Connected: +yes$/m);
      expect(shown.stdout).toMatch(/^Annotations: +\S+=/m);
      expect(shown.stdout).toMatch(/^ +queue\.count=\d+$/m);
      expect(json<ClusterView>(await run(['clusters', 'show', CLUSTER, '-o', 'json']))).toMatchObject({
        id: CLUSTER,
        connected: true,
      });
      const unknown = await run(['clusters', 'show', 'no-such-cluster']);
      expect(unknown.code).toBe(5);
      expect(unknown.stderr).toMatch(/no-such-cluster.*\(HTTP 404\)/);
    });

    it('delete asks for --yes without a terminal (exit 2, nothing deleted); an unknown cluster is exit 5', async () => {
      const { gateway } = session;
      const refused = await run(['clusters', 'delete', CLUSTER]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--yes');
      expect((await gatewayAdmin(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`)).status).toBe(200);
      expect((await run(['clusters', 'delete', 'no-such-cluster', '--yes'])).code).toBe(5);
    });
  });
}

import { parse as parseYaml } from 'yaml';
import type { NotificationJson, NotificationListJson, TaskStatusView } from '@app/admin-api';
import { fetchGatewayNotifications, notifyAll, waitFor, withNotifyClient } from '@app/testing';
import { CLUSTER, json, startCli, type AdminCliSession } from './built-cli.js';

/**
 * `alerting` and `notifications`, in order: install, list and tail what the
 * agent sends, then uninstall (cancelled once, then to the end).
 */
export function alertingAndNotificationsSteps(session: AdminCliSession): void {
  const { run, sseSubscribers } = session;

  describe('alerting and notifications', () => {
    it('install: Success, exit 0; status shows it installed and enabled at the agent; unknown cluster: exit 5', async () => {
      const installed = await run(['alerting', 'install', CLUSTER]);
      expect(installed).toMatchObject({ code: 0, stdout: `alerting on ${CLUSTER}: Success\n` });
      const status = await waitFor(
        async () => {
          const shown = json<{ capability: string; node: { enabled: boolean } | null }>(
            await run(['alerting', 'status', CLUSTER, '-o', 'json']),
          );
          return shown.node?.enabled === true && shown;
        },
        { timeoutMs: 30_000, description: 'the agent to report alerting enabled' },
      );
      expect(status).toMatchObject({ capability: 'installed', uninstall: null });
      const table = await run(['alerting', 'status', CLUSTER]);
      expect(table.stdout).toMatch(/^Alerting: +installed$/m);
      expect(table.stdout).toMatch(/^Agent enabled: +yes$/m);

      expect((await run(['alerting', 'install', 'no-such-cluster'])).code).toBe(5);
      expect((await run(['alerting', 'status', 'no-such-cluster'])).code).toBe(5);
    });

    it('notifications list applies the filters at the gateway, follows pages, and prints table, JSON and YAML', async () => {
      const { gateway, agent } = session;
      const ids = Array.from({ length: 7 }, (_, i) => `cli-list-${i}`);
      const severities = ['info', 'warning', 'error', 'critical', 'critical', 'info', 'error'];
      await notifyAll(
        agent.grpcAddress,
        ids.map((id, i) => ({ id, severity: severities[i] })),
      );
      await waitFor(
        async () => {
          const stored = new Set((await fetchGatewayNotifications(gateway.httpAddress)).map((n) => n.id));
          return ids.every((id) => stored.has(id));
        },
        { timeoutMs: 30_000, description: 'the notifications to reach the gateway' },
      );

      const critical = json<NotificationListJson>(
        await run(['notifications', 'list', '--cluster', CLUSTER, '--severity', 'CRITICAL', '-o', 'json']),
      );
      expect(critical.notifications.map((n) => n.id).sort()).toEqual(['cli-list-3', 'cli-list-4']);
      expect(critical.nextCursor).toBeNull();

      const severe = json<NotificationListJson>(
        await run(['notifications', 'list', '-s', 'critical', '-s', 'error', '--since', '1h', '-o', 'json']),
      );
      expect(severe.notifications).toHaveLength(4);
      expect(severe.notifications.every((n) => ['Critical', 'Error'].includes(n.severity))).toBe(true);
      const future = json<NotificationListJson>(
        await run(['notifications', 'list', '--since', '2999-01-01T00:00:00Z', '-o', 'json']),
      );
      expect(future.notifications).toEqual([]);

      // --limit 3: three, newest first, and the cursor for the rest; --cursor continues; --all gets every one.
      const first = json<NotificationListJson>(await run(['notifications', 'list', '--limit', '3', '-o', 'json']));
      expect(first.notifications).toHaveLength(3);
      expect(first.nextCursor).not.toBeNull();
      const seqs = first.notifications.map((n) => BigInt(n.seq));
      expect([...seqs].sort((a, b) => (a > b ? -1 : 1))).toEqual(seqs);
      const rest = json<NotificationListJson>(
        await run(['notifications', 'list', '--cursor', first.nextCursor!, '--all', '-o', 'json']),
      );
      const all = json<NotificationListJson>(await run(['notifications', 'list', '--all', '-o', 'json']));
      expect([...first.notifications, ...rest.notifications].map((n) => n.id)).toEqual(
        all.notifications.map((n) => n.id),
      );
      expect(all.notifications.length).toBeGreaterThanOrEqual(7);

      const table = await run(['notifications', 'list', '--limit', '2']);
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n')[0]).toMatch(/^RECEIVED +SEVERITY +SIGNAL +CLUSTER +TITLE +ID$/);
      expect(table.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(table.stderr).toContain('More match: add --cursor ');

      const yaml = parseYaml(
        (await run(['notifications', 'list', '--limit', '2', '-o', 'yaml'])).stdout,
      ) as NotificationListJson;
      expect(yaml.notifications.map((n) => n.id)).toEqual(all.notifications.slice(0, 2).map((n) => n.id));

      // A bad filter the CLI passes on is refused by the gateway naming it.
      const badTime = await run(['notifications', 'list', '--until', '2030-02-31T00:00:00Z']);
      expect(badTime.code).toBe(1);
      expect(badTime.stderr).toContain('until:');
    });

    it('notifications list --q searches words, --order severity puts the most severe first, --dedupe-key relates', async () => {
      const { gateway, agent } = session;
      const ids = (listed: Parameters<typeof json>[0]) =>
        json<NotificationListJson>(listed).notifications.map((n) => n.id);
      // cli-list-0 … 6 of the test before: info, warning, error, critical, critical, info, error.
      expect(ids(await run(['notifications', 'list', '--q', 'CLI-LIST-3', '-o', 'json']))).toEqual(['cli-list-3']);
      const bySeverity = [
        'cli-list-4',
        'cli-list-3',
        'cli-list-6',
        'cli-list-2',
        'cli-list-1',
        'cli-list-5',
        'cli-list-0',
      ];
      const first = await run([
        'notifications',
        'list',
        '--q',
        'cli list',
        '--order',
        'SEVERITY',
        '--limit',
        '3',
        '-o',
        'json',
      ]);
      const rest = await run([
        ...['notifications', 'list', '--q', 'cli list', '--order', 'severity', '--all', '-o', 'json'],
        ...['--cursor', json<NotificationListJson>(first).nextCursor!],
      ]);
      expect([...ids(first), ...ids(rest)]).toEqual(bySeverity);

      // Two with one dedupe key (the second once the first reached the gateway, so not coalesced at the agent).
      for (const [n, id] of ['cli-dedupe-1', 'cli-dedupe-2'].entries()) {
        await withNotifyClient(agent.grpcAddress, (client) =>
          client.notify({
            id,
            message: { title: `title ${id}`, body: `body of ${id}`, properties: { opni_dedupe_key: 'cli-key' } },
          }),
        );
        await waitFor(
          async () => (await fetchGatewayNotifications(gateway.httpAddress, { dedupeKey: 'cli-key' })).length === n + 1,
          { timeoutMs: 30_000, description: `${id} at the gateway` },
        );
      }
      expect(ids(await run(['notifications', 'list', '--dedupe-key', 'cli-key', '-o', 'json']))).toEqual([
        'cli-dedupe-2',
        'cli-dedupe-1',
      ]);

      // An unknown order is a usage error (nothing sent); words the gateway refuses are refused naming q.
      const badOrder = await run(['notifications', 'list', '--order', 'loudest']);
      expect([badOrder.code, badOrder.stderr]).toEqual([2, expect.stringContaining('newest, severity')]);
      const noWords = await run(['notifications', 'list', '--q', '"*:()^-']);
      expect([noWords.code, noWords.stderr]).toEqual([1, expect.stringContaining('q: has no word to search for')]);
      const emptyKey = await run(['notifications', 'list', '--dedupe-key', '']);
      expect([emptyKey.code, emptyKey.stderr]).toEqual([1, expect.stringContaining('dedupeKey: must not be empty')]);
    });

    it('notifications tail --after replays stored ones, then follows live ones matching its filters, and stops after --count', async () => {
      const { gateway, agent, env } = session;
      const stored = (await fetchGatewayNotifications(gateway.httpAddress)).sort((a, b) =>
        BigInt(a.seq) < BigInt(b.seq) ? -1 : 1,
      );
      // Replay: the two stored after the first one, in seq order.
      const replay = await run(['notifications', 'tail', '--after', stored[0].seq, '--count', '2', '-o', 'json']);
      expect(replay.code).toBe(0);
      const replayed = replay.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as NotificationJson);
      expect(replayed.map((n) => n.seq)).toEqual([stored[1].seq, stored[2].seq]);

      // Live: Error and up from this cluster, in a table; an Info in between is not shown.
      await sseSubscribers(0);
      const tail = startCli(['notifications', 'tail', '--cluster', CLUSTER, '--min-severity', 'error', '-n', '2'], env);
      await sseSubscribers(1);
      await notifyAll(agent.grpcAddress, [
        { id: 'cli-tail-info', severity: 'info' },
        { id: 'cli-tail-error', severity: 'error' },
        { id: 'cli-tail-critical', severity: 'critical' },
      ]);
      const result = await tail.result;
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^RECEIVED +SEVERITY +SIGNAL +CLUSTER +TITLE +ID$/);
      expect(
        lines
          .slice(1)
          .map((line) => line.split(/ {3,}/).at(-1))
          .sort(),
      ).toEqual(['cli-tail-critical', 'cli-tail-error']);
    });

    it('tail stops cleanly on SIGINT with exit 0', async () => {
      const { env } = session;
      await sseSubscribers(0);
      const tail = startCli(['notifications', 'tail', '-o', 'json'], env);
      await sseSubscribers(1);
      tail.child.kill('SIGINT');
      expect((await tail.result).code).toBe(0);
      await sseSubscribers(0);
    });

    it('uninstall: refused without --yes; --initial-delay then cancel: Canceled; then waits for Completed with progress', async () => {
      const { gateway } = session;
      const refused = await run(['alerting', 'uninstall', CLUSTER, '--delete-stored-data']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('delete its stored notifications');
      expect((await run(['alerting', 'status', CLUSTER, '-o', 'json'])).stdout).toContain('"capability": "installed"');

      const pending = json<TaskStatusView>(
        await run(['alerting', 'uninstall', CLUSTER, '--initial-delay', '1h', '--no-wait', '--yes', '-o', 'json']),
      );
      expect(pending.state).toBe('Pending');
      // A second uninstall while one is pending: 409, exit 1.
      const again = await run(['alerting', 'uninstall', CLUSTER, '--yes']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('HTTP 409');
      expect(json<TaskStatusView>(await run(['alerting', 'cancel', CLUSTER, '-o', 'json'])).state).toBe('Canceled');
      expect(json<{ capability: string }>(await run(['alerting', 'status', CLUSTER, '-o', 'json'])).capability).toBe(
        'installed',
      );

      const before = (await fetchGatewayNotifications(gateway.httpAddress, { cluster: CLUSTER })).length;
      expect(before).toBeGreaterThan(0);
      const done = await run([
        'alerting',
        'uninstall',
        CLUSTER,
        '--delete-stored-data',
        '--yes',
        '--interval',
        '200ms',
      ]);
      expect(done.code).toBe(0);
      expect(done.stderr).toMatch(/uninstall of alerting from cli-a: Completed/);
      expect(done.stderr).toMatch(/deleted \d+ stored notifications of cluster cli-a/);
      expect(done.stdout).toMatch(/^Uninstall: +Completed/m);
      expect(await fetchGatewayNotifications(gateway.httpAddress, { cluster: CLUSTER })).toEqual([]);

      const status = await run(['alerting', 'status', CLUSTER]);
      expect(status.stdout).toMatch(/^Alerting: +not installed$/m);
      expect(status.stdout).toMatch(/^Uninstall: +Completed/m);
      // Not installed: uninstalling again is a 409 (exit 1); cancelling a finished task too.
      expect((await run(['alerting', 'uninstall', CLUSTER, '--yes'])).code).toBe(1);
      expect((await run(['alerting', 'cancel', 'no-such-cluster'])).code).toBe(5);
    });
  });
}

import {
  exactlyOnceReport,
  fetchGatewayNotifications,
  installAlerting,
  interleavedSeverities,
  joinArgs,
  notifyAll,
  openGatewayFeed,
  runApp,
  spawnApp,
  spawnGatewayReplicas,
  startPostgres,
  waitFor,
  type GatewayFeed,
  type PostgresCluster,
  type SpawnedApp,
} from '@app/testing';

// GATEWAY_STORAGE=postgres: refused without a usable database, and two replicas on one database
// share their notifications, each live feed showing those of both in seq order.
describe('gateway storage on PostgreSQL', () => {
  it('refuses to start without GATEWAY_POSTGRES_URL, naming it', async () => {
    const result = await runApp('gateway', ['--storage', 'postgres']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GATEWAY_POSTGRES_URL (--postgres-url)');
  });

  it('stops at start when the database cannot be reached, naming where without the password', async () => {
    const result = await runApp(
      'gateway',
      ['--storage', 'postgres', '--postgres-url', 'postgres://gateway:s3cret-pw@127.0.0.1:1/alerting'],
      { timeoutMs: 60_000 },
    );
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain('cannot use PostgreSQL at 127.0.0.1:1/alerting (GATEWAY_POSTGRES_URL)');
    expect(output).not.toContain('s3cret-pw');
  }, 90_000);

  describe('two replicas on one database', () => {
    let cluster: PostgresCluster;
    let replicas: SpawnedApp[] = [];
    const agents: SpawnedApp[] = [];
    const feeds: GatewayFeed[] = [];

    beforeAll(async () => {
      cluster = await startPostgres();
      replicas = await spawnGatewayReplicas(2, await cluster.createDatabase());
    }, 120_000);

    afterAll(async () => {
      for (const feed of feeds) feed.close();
      await Promise.all([...agents, ...replicas].map((app) => app.stop('SIGKILL')));
      await cluster?.stop();
    });

    it('migrates the schema once: one replica applies every migration, the other finds none left', () => {
      const applied = replicas.map(
        (replica) => replica.logs.find((line) => line.event === 'postgres-ready')?.migrationsApplied as number[],
      );
      expect(applied.map((versions) => versions.length).sort()).toEqual([0, expect.any(Number)]);
      expect(applied.flat().length).toBeGreaterThan(0);
    });

    it("each replica lists and streams the other's notifications, in seq order, with no gap", async () => {
      feeds.push(...(await Promise.all(replicas.map((replica) => openGatewayFeed(replica.httpAddress)))));
      for (const [i, replica] of replicas.entries()) {
        agents.push(await spawnApp('agent', { args: await joinArgs(replica, `storage-${i}`) }));
        await installAlerting(replica.httpAddress, `storage-${i}`);
      }
      const sent = agents.map((agent, i) => interleavedSeverities(`r${i}-`, 150));
      await Promise.all(agents.map((agent, i) => notifyAll(agent.grpcAddress, sent[i])));
      const expected = sent.flat().map(({ id }) => id);

      for (const [i, replica] of replicas.entries()) {
        let listed: { clusterId: string }[] = [];
        await waitFor(
          async () => (listed = await fetchGatewayNotifications(replica.httpAddress)).length === expected.length,
          { timeoutMs: 30_000, description: `replica ${i + 1} to list all ${expected.length}` },
        ).catch((error: Error) => {
          const counts = new Map<string, number>();
          for (const { clusterId } of listed) counts.set(clusterId, (counts.get(clusterId) ?? 0) + 1);
          const perCluster = [...counts].map(([id, count]) => `${id}: ${count}`);
          throw new Error(`${error.message} (listed per cluster: ${perCluster.join(', ') || 'none'})`);
        });
        expect(exactlyOnceReport(await fetchGatewayNotifications(replica.httpAddress), expected)).toEqual({
          duplicated: [],
          missing: [],
          unexpected: [],
        });
      }
      for (const [i, feed] of feeds.entries()) {
        await waitFor(() => feed.received.length >= expected.length, {
          timeoutMs: 30_000,
          description: `replica ${i + 1}'s live feed to show all ${expected.length}`,
        });
        const seqs = feed.received.map(({ notification }) => Number(notification.seq));
        // Every seq from the first to the last, once, in order: both replicas' notifications interleaved.
        expect(seqs).toEqual(Array.from({ length: expected.length }, (_, n) => seqs[0] + n));
        expect(
          exactlyOnceReport(
            feed.received.map(({ notification }) => notification),
            expected,
          ).missing,
        ).toEqual([]);
      }
    }, 120_000);
  });
});

import { generateExchangeKeyPair } from '@app/cluster-auth';
import {
  createBootstrapToken,
  exactlyOnceReport,
  fetchGatewayNotifications,
  gatewayAdmin,
  gatewayClient,
  installAlerting,
  interleavedSeverities,
  joinArgs,
  notifyAll,
  openGatewayFeed,
  spawnApp,
  spawnGatewayReplicas,
  startPostgresWithStandby,
  startTcpBalancer,
  waitFor,
  type PostgresWithStandby,
  type SpawnedApp,
  type TcpBalancer,
} from '@app/testing';

const AGENTS = 3;
const PER_AGENT_PER_PHASE = 150;

// Issue 26's failover: two replicas behind one address (a balancer, as a Service), three agents spread over
// them, a database with a synchronous streaming standby. One replica is SIGKILLed, then the primary, and the
// standby promoted: agents reconnect, nothing acknowledged is lost or doubled, and the survivor's live feed
// saw everything in seq order.
describe('gateway replicas: failover of a replica and of the database (issue 26)', () => {
  let database: PostgresWithStandby;
  let replicas: SpawnedApp[] = [];
  let balancer: TcpBalancer;
  const agents: SpawnedApp[] = [];

  beforeAll(async () => {
    database = await startPostgresWithStandby();
    replicas = await spawnGatewayReplicas(2, database.url);
    balancer = await startTcpBalancer(replicas.map((replica) => replica.grpcAddress));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...agents, ...replicas].map((app) => app.stop('SIGKILL')));
    await balancer?.close();
    await database?.stop();
  });

  it('a single-use token raced by joins through both replicas is used once', async () => {
    const { token, id } = await createBootstrapToken(replicas[0]);
    const joins = Array.from({ length: 8 }, async (_, i) => {
      const client = gatewayClient(replicas[i % 2], 'bootstrap.v1.BootstrapService', { admin: false });
      try {
        const { publicKey } = generateExchangeKeyPair();
        await client.join({ token, clusterId: `race-${i}`, agentPublicKey: publicKey });
      } finally {
        client.close();
      }
    });
    const outcomes = await Promise.allSettled(joins);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const tokens = await gatewayAdmin<{ tokens: { id: string; usages: number }[] }>(
      replicas[1].httpAddress,
      'GET',
      '/api/v1/tokens',
    );
    expect(tokens.body.tokens.find((listed) => listed.id === id)?.usages).toBe(1);
  }, 60_000);

  it('agents reconnect; every acknowledged Notify is listed exactly once; the survivor streamed all in order', async () => {
    const [doomed, survivor] = replicas;
    const feed = await openGatewayFeed(survivor.httpAddress);
    for (let i = 0; i < AGENTS; i++) {
      const cluster = `failover-${i}`;
      agents.push(await spawnApp('agent', { args: await joinArgs(survivor, cluster, { address: balancer.address }) }));
      await installAlerting(survivor.httpAddress, cluster);
    }
    // Spread: each replica holds at least one agent's session.
    for (const replica of replicas) {
      expect(replica.logs.filter((line) => line.event === 'agent-connected').length).toBeGreaterThan(0);
    }
    const acknowledged: string[] = [];
    const phase = async (name: string) => {
      const sent = agents.map((_, i) => interleavedSeverities(`${name}-a${i}-`, PER_AGENT_PER_PHASE));
      await Promise.all(agents.map((agent, i) => notifyAll(agent.grpcAddress, sent[i])));
      acknowledged.push(...sent.flat().map(({ id }) => id));
    };

    // Each failure strikes while notifications flow: after half of those acknowledged so far reached the gateway.
    const flowing = async (what: string) => {
      let listed: { clusterId: string }[] = [];
      await waitFor(
        async () => (listed = await fetchGatewayNotifications(survivor.httpAddress)).length >= acknowledged.length / 2,
        { timeoutMs: 60_000, description: `notifications to flow ${what}` },
      ).catch((error: Error) => {
        const perCluster = new Map<string, number>();
        for (const { clusterId } of listed) perCluster.set(clusterId, (perCluster.get(clusterId) ?? 0) + 1);
        throw new Error(`${error.message}: ${listed.length} listed, by cluster ${JSON.stringify([...perCluster])}`);
      });
    };
    await phase('before');
    await flowing('before a replica is killed');
    await doomed.stop('SIGKILL');
    await phase('replica-down');
    await flowing('before the database primary is killed');
    await database.primary.postmaster.kill();
    await database.promote();
    await phase('database-failed-over');

    let listed: { id: string; seq: string }[] = [];
    await waitFor(
      async () => (listed = await fetchGatewayNotifications(survivor.httpAddress)).length >= acknowledged.length,
      {
        timeoutMs: 120_000,
        description: `the survivor to list all ${acknowledged.length} acknowledged`,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(exactlyOnceReport(listed, acknowledged))}`);
    });
    expect(exactlyOnceReport(listed, acknowledged)).toEqual({ duplicated: [], missing: [], unexpected: [] });

    await waitFor(() => feed.received.length >= acknowledged.length, {
      timeoutMs: 30_000,
      description: `the survivor's live feed to show all ${acknowledged.length}`,
    });
    const streamed = feed.received.map(({ notification }) => notification);
    expect(exactlyOnceReport(streamed, acknowledged)).toEqual({ duplicated: [], missing: [], unexpected: [] });
    const seqs = streamed.map((notification) => BigInt(notification.seq));
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1])).toBe(true);
    // The agents whose replica died found the survivor (each connected there at least once).
    const reachedSurvivor = new Set(
      survivor.logs.filter((line) => line.event === 'agent-connected').map((line) => String(line.cluster)),
    );
    expect([...reachedSurvivor].sort()).toEqual(agents.map((_, i) => `failover-${i}`));
    feed.close();
  }, 300_000);
});

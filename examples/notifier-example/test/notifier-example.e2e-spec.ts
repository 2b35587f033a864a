import {
  fetchGatewayNotifications,
  installAlerting,
  joinArgs,
  spawnApp,
  waitFor,
  type GatewayNotification,
  type SpawnedApp,
} from '@app/testing';

// Acceptance of the example service (issue 9): the built notifier-example
// sends through a real agent to a real gateway, all on loopback ports.

const CLUSTER = 'example-cluster';

describe('notifier-example → agent → gateway', () => {
  let gateway: SpawnedApp;
  let agent: SpawnedApp;
  let example: SpawnedApp;

  beforeAll(async () => {
    gateway = await spawnApp('gateway');
    agent = await spawnApp('agent', { args: await joinArgs(gateway, CLUSTER) });
    await installAlerting(gateway.httpAddress, CLUSTER);
    example = await spawnApp('notifier-example', { args: ['--agent-address', agent.grpcAddress] });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([example, agent, gateway].map((app) => app?.stop()));
  });

  async function postAlert(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`http://${example.httpAddress}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('sends a notification that the gateway then lists, under the id the client generated', async () => {
    const sent = await postAlert({
      title: 'Backup failed',
      body: 'rsync exited 23',
      severity: 'error',
      goldenSignal: 'errors',
      dedupeKey: 'nightly-backup',
      properties: { job: 'nightly-backup' },
    });
    expect(sent).toEqual({
      status: 200,
      body: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), coalesced: false, attempts: 1 },
    });
    const id = sent.body.id as string;

    const [stored] = await waitFor(
      async () => {
        const listed = await fetchGatewayNotifications(gateway.httpAddress, { cluster: CLUSTER });
        const matching = listed.filter((notification) => notification.id === id);
        return matching.length > 0 && matching;
      },
      { timeoutMs: 20_000, description: `notification ${id} at the gateway` },
    );
    expect(stored).toMatchObject<Partial<GatewayNotification>>({
      clusterId: CLUSTER,
      id,
      title: 'Backup failed',
      body: 'rsync exited 23',
      severity: 'Error',
      goldenSignal: 'Errors',
      properties: expect.objectContaining({ job: 'nightly-backup', opni_dedupe_key: 'nightly-backup', opni_uuid: id }),
    });
  });

  it('answers 400 with the field the agent named when it refuses the content', async () => {
    const refused = await postAlert({ title: '   ', body: 'b', id: 'refused-1' });
    expect(refused).toEqual({
      status: 400,
      body: {
        error: 'InvalidNotificationError',
        message: 'INVALID_ARGUMENT: message.title: is required and must not be blank',
        field: 'message.title',
        id: 'refused-1',
        attempts: 1,
      },
    });
  });

  it('answers 400 for a severity it does not know, without calling the agent', async () => {
    expect(await postAlert({ title: 't', body: 'b', severity: 'loud' })).toMatchObject({
      status: 400,
      body: { error: 'invalid-argument', field: 'severity' },
    });
  });
});

import { rmSync } from 'node:fs';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { ClusterView } from '@app/admin-api';
import { capability, core } from '@app/proto';
import { createUnaryClient, type UnaryClient } from '@app/runtime';
import {
  appsStoppedAfterEach,
  bearerMetadata,
  exactlyOnceReport,
  fetchAgentQueueCount,
  fetchGatewayNotifications,
  freePort,
  gatewayAdmin,
  gatewayClient,
  joinArgs,
  installAlerting,
  interleavedSeverities,
  notifyAll,
  scrapeMetrics,
  spawnApp,
  startTcpProxy,
  waitFor,
  type SpawnedApp,
} from '@app/testing';

// Acceptance of the alerting capability (issue 6), with real gateway and agent
// processes on loopback ports: capability.Backend on the gateway's gRPC port
// (and its admin HTTP mirror), the agent's node synced over its own session,
// the asynchronous uninstall task, and its persistence across a gateway kill.

type Backend = UnaryClient<'capability.Backend'>;
const EXACTLY_ONCE = { duplicated: [], missing: [], unexpected: [] };
const FAST_RECONNECT = ['--reconnect-max-delay-ms', '300'];

const cluster = async (gateway: SpawnedApp, id: string) =>
  (await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${id}`)).body;

const grpcError = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: ServiceError) => ({ code: GrpcStatus[error.code], details: error.details }),
  );

const states = (status: core.TaskStatus) => status.transitions.map((t) => core.TaskState[t.state]);

describe('alerting capability: Backend, node sync, uninstall tasks', () => {
  // After each test: the apps stopped, then the clients and proxies closed.
  const { start, onCleanUp } = appsStoppedAfterEach();
  const backendOf = (gateway: SpawnedApp): Backend => {
    const client = gatewayClient(gateway, 'capability.Backend');
    onCleanUp(() => client.close());
    return client;
  };
  const proxyTo = async (gateway: SpawnedApp) => {
    const proxy = await startTcpProxy(gateway.grpcAddress);
    onCleanUp(() => proxy.close());
    return proxy;
  };

  it('answers Info, and refuses what does not apply with NOT_FOUND, FAILED_PRECONDITION or INVALID_ARGUMENT, changing nothing', async () => {
    const gateway = await start('gateway');
    await start('agent', { args: await joinArgs(gateway, 'c1') });
    const backend = backendOf(gateway);
    expect(await backend.info({})).toEqual({ name: 'alerting', source: 'downstream-alerting', drivers: ['sqlite'] });

    expect(await grpcError(backend.install({ cluster: { id: 'nowhere' }, ignoreWarnings: false }))).toEqual({
      code: 'NOT_FOUND',
      details: 'cluster nowhere is not known (it has not joined)',
    });
    expect(await grpcError(backend.status({ cluster: { id: 'nowhere' } }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await grpcError(backend.uninstallStatus({ id: 'c1' }))).toEqual({
      code: 'NOT_FOUND',
      details: 'no uninstall of alerting was ever started for cluster c1',
    });
    await waitFor(async () => (await cluster(gateway, 'c1'))?.connected, { description: 'c1 to register' });
    expect(await grpcError(backend.uninstall({ cluster: { id: 'c1' }, options: {} }))).toEqual({
      code: 'FAILED_PRECONDITION',
      details: 'alerting is not installed on cluster c1',
    });
    expect(await grpcError(backend.install({ cluster: { id: '' }, ignoreWarnings: false }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: 'cluster.id: is required: the cluster id',
    });

    expect(await backend.install({ cluster: { id: 'c1' }, ignoreWarnings: false })).toEqual({
      status: capability.InstallResponseStatus.Success,
      message: '',
    });
    // Idempotent.
    expect((await backend.install({ cluster: { id: 'c1' }, ignoreWarnings: false })).status).toBe(
      capability.InstallResponseStatus.Success,
    );
    expect(await grpcError(backend.uninstall({ cluster: { id: 'c1' }, options: { initialDelay: 'soon' } }))).toEqual({
      code: 'INVALID_ARGUMENT',
      details:
        'options.initialDelay: must be a number of seconds >= 0 or a whole number with a unit: ms, s, m, h or d (e.g. 90s, 15m, 7d), at most 3650d',
    });
    expect(await grpcError(backend.uninstall({ cluster: { id: 'c1' }, options: { deleteData: true } }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    // The refused uninstalls changed nothing: installed, no task, no deletion mark.
    expect((await cluster(gateway, 'c1')).capabilities).toEqual([{ name: 'alerting' }]);
    expect(await grpcError(backend.uninstallStatus({ id: 'c1' }))).toMatchObject({ code: 'NOT_FOUND' });

    const status = await backend.status({ cluster: { id: 'c1' } });
    expect(status).toMatchObject({ enabled: true, conditions: [] });
    expect(status.lastRevision?.revision).toBeGreaterThan(0n);
    expect(status.lastRevision?.timestamp).toBeInstanceOf(Date);
    expect(status.lastSync).toBeInstanceOf(Date);
    const { template } = await backend.installerTemplate({});
    // opni's fields: the agent chart's values; rendered, it installs an agent that joins (deploy/test/join-command.e2e-spec.ts).
    expect(template).toContain('--set gateway.address={{ .Address }}:{{ .Port }} --set join.token={{ .Token }} ');
  });

  it('installs with a Warning while the agent is disconnected; the agent syncs when it reconnects and drains', async () => {
    const gateway = await start('gateway');
    const proxy = await proxyTo(gateway);
    const agent = await start('agent', {
      args: [...(await joinArgs(gateway, 'away', { address: proxy.address })), ...FAST_RECONNECT],
    });
    await waitFor(async () => (await cluster(gateway, 'away'))?.connected, { description: 'away to register' });
    proxy.setBlocked(true);
    await waitFor(async () => (await cluster(gateway, 'away')).connected === false, {
      description: 'the gateway to see the agent gone',
    });
    const sent = interleavedSeverities('away', 40);
    await notifyAll(agent.grpcAddress, sent);

    const backend = backendOf(gateway);
    const installed = await backend.install({ cluster: { id: 'away' }, ignoreWarnings: false });
    expect(installed.status).toBe(capability.InstallResponseStatus.Warning);
    expect(installed.message).toBe(
      'alerting is installed, but the agent of cluster away could not be reached (the agent of cluster away is not connected); it syncs when it reconnects',
    );
    // ignoreWarnings: the same outcome reported as Success.
    expect((await backend.install({ cluster: { id: 'away' }, ignoreWarnings: true })).status).toBe(
      capability.InstallResponseStatus.Success,
    );
    expect(await fetchAgentQueueCount(agent.httpAddress)).toBe(sent.length);

    proxy.setBlocked(false);
    await waitFor(async () => (await fetchAgentQueueCount(agent.httpAddress)) === 0, {
      timeoutMs: 30_000,
      description: 'the reconnected agent to sync and drain',
    });
    expect(
      exactlyOnceReport(
        await fetchGatewayNotifications(gateway.httpAddress),
        sent.map((s) => s.id),
      ),
    ).toEqual(EXACTLY_ONCE);
    expect(await backend.status({ cluster: { id: 'away' } })).toMatchObject({ enabled: true, conditions: [] });
  });

  it('cancels an uninstall during its initial delay: Canceled, still installed, still delivering', async () => {
    const gateway = await start('gateway');
    const agent = await start('agent', { args: await joinArgs(gateway, 'keep') });
    await installAlerting(gateway.httpAddress, 'keep');
    const path = '/api/v1/clusters/keep/capabilities/alerting/uninstall';

    const pending = await gatewayAdmin<{ state: string }>(gateway.httpAddress, 'POST', path, { initialDelay: '60s' });
    expect(pending).toMatchObject({ status: 202, body: { state: 'Pending' } });
    expect((await cluster(gateway, 'keep')).capabilities[0].deletionTimestamp).toEqual(expect.any(String));
    // A second uninstall while one is pending is refused.
    expect((await gatewayAdmin(gateway.httpAddress, 'POST', path, {})).status).toBe(409);

    const canceled = await gatewayAdmin<{ state: string; transitions: { state: string }[] }>(
      gateway.httpAddress,
      'POST',
      `${path}/cancel`,
    );
    expect(canceled.status).toBe(200);
    expect(canceled.body.state).toBe('Canceled');
    expect(canceled.body.transitions.map((t) => t.state)).toEqual(['Pending', 'Canceled']);
    expect((await cluster(gateway, 'keep')).capabilities).toEqual([{ name: 'alerting' }]);
    // Canceling again: nothing left to cancel.
    expect((await gatewayAdmin(gateway.httpAddress, 'POST', `${path}/cancel`)).status).toBe(409);

    const sent = interleavedSeverities('keep', 8);
    await notifyAll(agent.grpcAddress, sent);
    await waitFor(
      async () => (await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'keep' })).length === 8,
      {
        description: 'notifications sent after the cancel to arrive',
      },
    );
    expect(await backendOf(gateway).status({ cluster: { id: 'keep' } })).toMatchObject({ enabled: true });
  });

  it("uninstalls with deleteStoredData: the gateway's notifications and the agent's queue are purged, the task Completed", async () => {
    const gateway = await start('gateway');
    const proxy = await proxyTo(gateway);
    const agent = await start('agent', {
      args: [...(await joinArgs(gateway, 'gone', { address: proxy.address })), ...FAST_RECONNECT],
    });
    const other = await start('agent', { args: await joinArgs(gateway, 'stays') });
    await installAlerting(gateway.httpAddress, 'gone');
    await installAlerting(gateway.httpAddress, 'stays');
    await notifyAll(agent.grpcAddress, interleavedSeverities('delivered', 10));
    await notifyAll(other.grpcAddress, interleavedSeverities('other', 5));
    await waitFor(async () => (await fetchGatewayNotifications(gateway.httpAddress)).length === 15, {
      description: 'both clusters to deliver',
    });

    // The agent goes offline with notifications still queued.
    proxy.setBlocked(true);
    await waitFor(async () => (await cluster(gateway, 'gone')).connected === false, {
      description: 'the agent to be disconnected',
    });
    await notifyAll(agent.grpcAddress, interleavedSeverities('queued', 12));

    const backend = backendOf(gateway);
    await backend.uninstall({ cluster: { id: 'gone' }, options: { deleteStoredData: true } });
    const done = await waitFor(
      async () => {
        const status = await backend.uninstallStatus({ id: 'gone' });
        return status.state === core.TaskState.Completed ? status : undefined;
      },
      { description: 'the uninstall to complete' },
    );
    expect(states(done)).toEqual(['Pending', 'Running', 'Completed']);
    expect(done.progress).toEqual({ current: 3n, total: 3n });
    expect(done.logs.map((l) => l.msg)).toEqual([
      'alerting disabled for cluster gone (configuration revision 2, agent queue purge requested)',
      'the agent of cluster gone is not connected; the agent applies the change when it reconnects',
      'deleted 10 stored notifications of cluster gone',
      'alerting removed from cluster gone',
    ]);
    expect(await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'gone' })).toEqual([]);
    expect((await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'stays' })).length).toBe(5);
    expect((await cluster(gateway, 'gone')).capabilities).toEqual([]);

    // Back online, the agent learns of the uninstall and purges what it had queued; nothing reaches the gateway.
    proxy.setBlocked(false);
    await waitFor(async () => (await scrapeMetrics(agent.httpAddress)).value('agent_queue_purged_total') === 12, {
      description: 'the agent to purge its 12 queued notifications once it reconnects',
    });
    expect(await fetchAgentQueueCount(agent.httpAddress)).toBe(0);
    // It synced before pushing anything on the new session: no push was even tried, let alone refused.
    expect(agent.logs.filter((line) => line.event === 'push-failed')).toEqual([]);
    await waitFor(async () => (await cluster(gateway, 'gone')).health?.conditions.includes('Backend Disabled'), {
      description: 'the agent to report "Backend Disabled"',
    });
    expect(await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'gone' })).toEqual([]);
    // Uninstalled: a new uninstall is refused; installing again works.
    expect(await grpcError(backend.uninstall({ cluster: { id: 'gone' }, options: {} }))).toMatchObject({
      code: 'FAILED_PRECONDITION',
    });
  });

  it('resumes a Pending uninstall after the gateway is killed, and completes it', async () => {
    const grpcPort = await freePort();
    const gatewayArgs = { args: ['--grpc-port', String(grpcPort)] };
    const first = await spawnApp('gateway', gatewayArgs);
    const agent = await start('agent', {
      args: [...(await joinArgs(first, 'resume')), ...FAST_RECONNECT],
    });
    await installAlerting(first.httpAddress, 'resume');
    await notifyAll(agent.grpcAddress, interleavedSeverities('r', 6));
    await waitFor(async () => (await fetchGatewayNotifications(first.httpAddress)).length === 6, {
      description: 'delivery before the uninstall',
    });
    const accepted = await gatewayAdmin(
      first.httpAddress,
      'POST',
      '/api/v1/clusters/resume/capabilities/alerting/uninstall',
      { initialDelay: '3s', deleteStoredData: true },
    );
    expect(accepted.status).toBe(202);
    first.process.kill('SIGKILL');
    await first.exited();

    const restartedAt = Date.now();
    const second = await start('gateway', { ...gatewayArgs, dataDir: first.dataDir });
    const path = '/api/v1/clusters/resume/capabilities/alerting/uninstall';
    // Still waiting out its delay, unless the restart itself took longer on a busy machine.
    const afterRestart = await gatewayAdmin<{ state: string }>(second.httpAddress, 'GET', path);
    expect(['Pending', 'Running', 'Completed']).toContain(afterRestart.body.state);
    const done = await waitFor(
      async () => {
        const status = await gatewayAdmin<{
          state: string;
          transitions: { state: string; timestamp: string | undefined }[];
        }>(second.httpAddress, 'GET', path);
        return status.body.state === 'Completed' ? status.body : undefined;
      },
      { timeoutMs: 20_000, description: 'the resumed uninstall to complete' },
    );
    expect(done.transitions.map((t) => t.state)).toEqual(['Pending', 'Running', 'Completed']);
    // It ran on the second gateway: resumed from the store, not finished by the killed one.
    expect(Date.parse(done.transitions[1].timestamp!)).toBeGreaterThanOrEqual(restartedAt);
    expect(await fetchGatewayNotifications(second.httpAddress, { cluster: 'resume' })).toEqual([]);
    expect((await cluster(second, 'resume')).capabilities).toEqual([]);
    await second.stop('SIGKILL');
    rmSync(first.dataDir, { recursive: true, force: true }); // the first gateway's temporary dir, reused
  });

  it("reaches SyncNow and GetHealth on an agent only through the agent's own session", async () => {
    const gateway = await start('gateway');
    // The agent's local gRPC port is one it picked and told nobody but this test; the gateway is never given it.
    const agent = await start('agent', { args: await joinArgs(gateway, 'inward') });
    await waitFor(async () => (await cluster(gateway, 'inward'))?.connected, { description: 'inward to register' });

    // Install's SyncNow travels over the session: Success means the agent synced the new configuration.
    expect((await backendOf(gateway).install({ cluster: { id: 'inward' }, ignoreWarnings: false })).status).toBe(
      capability.InstallResponseStatus.Success,
    );
    const live = await gatewayAdmin<{ ready: boolean; conditions: string[]; annotations: Record<string, string> }>(
      gateway.httpAddress,
      'GET',
      '/api/v1/clusters/inward/health?live=true',
    );
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ ready: true, conditions: [] });
    expect(live.body.annotations).toMatchObject({ 'gateway.state': 'connected', 'queue.count': '0' });
    expect((await gatewayAdmin(gateway.httpAddress, 'POST', '/api/v1/clusters/inward/sync')).body).toEqual({
      synced: true,
    });

    // The same services on the agent's local port, for local tooling: SyncNow needs the agent's admin token.
    const node = createUnaryClient('capability.Node', agent.grpcAddress);
    const health = createUnaryClient('control.Health', agent.grpcAddress);
    try {
      const before = await backendOf(gateway).status({ cluster: { id: 'inward' } });
      const asAdmin = bearerMetadata(agent.adminToken);
      await expect(node.syncNow({ capabilityNames: [] })).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
      await node.syncNow({ capabilityNames: ['some-other-capability'] }, {}, asAdmin); // not alerting: nothing to do
      expect((await backendOf(gateway).status({ cluster: { id: 'inward' } })).lastSync).toEqual(before.lastSync);
      await node.syncNow({ capabilityNames: [] }, {}, asAdmin);
      expect((await backendOf(gateway).status({ cluster: { id: 'inward' } })).lastSync!.getTime()).toBeGreaterThan(
        before.lastSync!.getTime(),
      );
      expect(await health.getHealth({})).toMatchObject({ ready: true, conditions: [] });
    } finally {
      node.close();
      health.close();
    }
  });
});

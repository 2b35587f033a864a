import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { ClusterView, CreatedTokenView, NodeStatusView, TaskStatusView } from '@app/admin-api';
import {
  gatewayAdmin,
  gatewayCredentials,
  installAlerting,
  joinArgs,
  OpniClient,
  opniRoot,
  opniWireTable,
  plain,
  spawnApp,
  waitFor,
  type OpniRevision,
  type SpawnedApp,
  type WireEnum,
} from '@app/testing';

// Acceptance of issue 22 with real gateway and agent processes: clients whose
// codecs are built from the committed facts of opni's protos
// (libs/proto/opni/wire-table.json), never from our .proto files, as opni's
// management layer at the proposal's revision and at opni's latest would be.

const [EARLY, LATEST] = opniWireTable().revisions;
const CLUSTER = 'opni-a';

/** What opni's Go UI does with an installer template: text/template with field actions over its spec. */
function renderGoTemplate(template: string, data: Record<string, string>): string {
  return template.replace(/\{\{(- )?\s*\.(\w+)\s*( -)?\}\}/g, (_action, _trimLeft, field: string) => {
    if (!(field in data)) throw new Error(`template: can't evaluate field ${field}`);
    return data[field];
  });
}

/** A google.protobuf.Timestamp as decoded by the table's types, as the admin API's RFC 3339. */
function iso(timestamp: unknown): string {
  const { seconds, nanos } = timestamp as { seconds: string; nanos: number };
  return new Date(Number(seconds) * 1000 + nanos / 1e6).toISOString();
}

function taskStateName(revision: OpniRevision, number: unknown): string | undefined {
  return (revision.definitions['core.TaskState'] as WireEnum).values.find((v) => v.number === number)?.name;
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: ServiceError) => GrpcStatus[error.code],
  );

describe("opni's clients (codecs from the wire table) against the real gateway and agent", () => {
  let gateway: SpawnedApp;
  const started: SpawnedApp[] = [];
  const clients: OpniClient[] = [];
  const backend = (revision: OpniRevision) => {
    const client = new OpniClient(
      revision,
      'capability.Backend',
      gateway.grpcAddress,
      gatewayCredentials(gateway.gateway!),
    );
    clients.push(client);
    return client;
  };
  const connected = (id: string) =>
    waitFor(
      async () => {
        const cluster = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${id}`);
        return cluster.status === 200 && cluster.body.connected;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: `cluster ${id} to join and connect` },
    );

  beforeAll(async () => {
    gateway = await spawnApp('gateway');
    started.push(gateway);
    started.push(await spawnApp('agent', { args: await joinArgs(gateway, CLUSTER) }));
    await installAlerting(gateway.httpAddress, CLUSTER, 30_000);
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(started.map((app) => app.stop('SIGKILL')));
  });

  it(`Status: StatusRequest (opni ${EARLY.commit.slice(0, 7)}) and core.Reference (opni ${LATEST.commit.slice(0, 7)}) get the same answer`, async () => {
    const byRequest = await backend(EARLY).call('Status', { cluster: { id: CLUSTER } });
    const byReference = await backend(LATEST).call('Status', { id: CLUSTER });
    expect(byReference.bytes.equals(byRequest.bytes)).toBe(true);

    const status = byReference.message as {
      enabled: boolean;
      lastSync: unknown;
      conditions: string[];
      lastRevision: { revision: string; timestamp: unknown };
    };
    expect(status).toMatchObject({ enabled: true, conditions: [] });
    // lastRevision is opni's core.Revision: the configuration revision and when it was made.
    const view = (
      await gatewayAdmin<NodeStatusView>(
        gateway.httpAddress,
        'GET',
        `/api/v1/clusters/${CLUSTER}/capabilities/alerting/status`,
      )
    ).body;
    expect(status.lastRevision.revision).toBe(view.lastRevision);
    expect(Number(status.lastRevision.revision)).toBeGreaterThan(0);
    expect(iso(status.lastSync)).toBe(view.lastSync);
    expect(Date.parse(iso(status.lastRevision.timestamp))).toBeLessThanOrEqual(Date.parse(view.lastSync!));
    // The early revision's clients know only enabled and lastSync, and read them from the same bytes.
    expect(byRequest.message).toEqual({ enabled: true, lastSync: status.lastSync });

    // Refusals are the same in both shapes too.
    expect(await codeOf(backend(EARLY).call('Status', { cluster: { id: 'nowhere' } }))).toBe('NOT_FOUND');
    expect(await codeOf(backend(LATEST).call('Status', { id: 'nowhere' }))).toBe('NOT_FOUND');
    expect(await codeOf(backend(EARLY).call('Status', { cluster: {} }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(backend(LATEST).call('Status', { id: '' }))).toBe('INVALID_ARGUMENT');
  });

  it("UninstallStatus of a task with logs and transitions decodes with opni's numbers, every time and message intact", async () => {
    const latest = backend(LATEST);
    await latest.call('Uninstall', {
      cluster: { id: CLUSTER },
      options: { fields: { deleteStoredData: { boolValue: true }, initialDelay: { stringValue: '1s' } } },
    });
    const done = await waitFor(
      async () => {
        const answer = await latest.call('UninstallStatus', { id: CLUSTER });
        return taskStateName(LATEST, answer.message.state) === 'Completed' ? answer : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the uninstall to complete' },
    );
    const task = done.message as {
      logs: { msg: string; level: number; timestamp: unknown }[];
      transitions: { state: number; timestamp: unknown }[];
    };
    expect(task.transitions.map((t) => taskStateName(LATEST, t.state))).toEqual(['Pending', 'Running', 'Completed']);
    expect(task.logs.length).toBeGreaterThanOrEqual(2);
    for (const entry of [...task.logs, ...task.transitions]) expect(entry.timestamp).not.toBeNull();

    // Every message, level and time, as the gateway's own admin API reports the task.
    const view = (
      await gatewayAdmin<TaskStatusView>(
        gateway.httpAddress,
        'GET',
        `/api/v1/clusters/${CLUSTER}/capabilities/alerting/uninstall`,
      )
    ).body;
    expect(task.logs.map((entry) => ({ msg: entry.msg, level: entry.level, timestamp: iso(entry.timestamp) }))).toEqual(
      view.logs.map(({ msg, level, timestamp }) => ({ msg, level, timestamp })),
    );
    expect(
      task.transitions.map((t) => ({ state: taskStateName(LATEST, t.state), timestamp: iso(t.timestamp) })),
    ).toEqual(view.transitions);
    expect(task.logs.some((entry) => entry.msg.includes(`deleted 0 stored notifications of cluster ${CLUSTER}`))).toBe(
      true,
    );

    // The proposal's revision reads the same bytes the same way.
    const earlyTaskStatus = opniRoot(EARLY).lookupType('core.TaskStatus');
    expect(plain(earlyTaskStatus, earlyTaskStatus.decode(done.bytes))).toEqual(done.message);
  }, 60_000);

  it("InstallerTemplate, rendered as opni renders Go templates, is the admin page's join command; its values join a real agent", async () => {
    const { message } = await backend(LATEST).call('InstallerTemplate', {});
    const template = message.template as string;
    const colon = gateway.grpcAddress.lastIndexOf(':');
    const server = { Address: gateway.grpcAddress.slice(0, colon), Port: gateway.grpcAddress.slice(colon + 1) };
    const newToken = async () => {
      const created = await gatewayAdmin<CreatedTokenView>(gateway.httpAddress, 'POST', '/api/v1/tokens', {});
      expect(created.status).toBe(201);
      const command = renderGoTemplate(template, { Token: created.body.token, Pin: created.body.pin, ...server });
      expect(command).toBe(created.body.joinCommand);
      // The Kubernetes form (deploy/test/join-command.e2e-spec.ts installs it with Helm); the form
      // outside Kubernetes carries the same values and joins here.
      expect(command).toContain(
        `--set gateway.address=${gateway.grpcAddress} --set join.token=${created.body.token} --set join.pin=${created.body.pin}`,
      );
      expect(created.body.nodeJoinCommand).toContain(
        `AGENT_GATEWAY_ADDRESS=${gateway.grpcAddress} AGENT_JOIN_TOKEN=${created.body.token} AGENT_GATEWAY_PIN=${created.body.pin} `,
      );
      return created.body.nodeJoinCommand;
    };

    // The cluster id given as the user would edit the shell default: AGENT_CLUSTER_ID set.
    started.push(await spawnApp('agent', { shell: await newToken(), env: { AGENT_CLUSTER_ID: 'opni-template' } }));
    await connected('opni-template');

    // Left to its default: the kube-system namespace's UID, from kubectl (here a stand-in on PATH).
    const bin = mkdtempSync(join(tmpdir(), 'kubectl-'));
    try {
      const uid = '5f0c2d7e-8a41-4b7e-9c3d-2e6f1a9b0c4d';
      writeFileSync(
        join(bin, 'kubectl'),
        `#!/bin/sh\n[ "$*" = "get namespace kube-system -o jsonpath={.metadata.uid}" ] && echo ${uid}\n`,
      );
      chmodSync(join(bin, 'kubectl'), 0o755);
      started.push(await spawnApp('agent', { shell: await newToken(), env: { PATH: `${bin}:${process.env.PATH}` } }));
      await connected(uid);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 90_000);
});

// A second capability, "example", defined here from the kit's public entries
// alone (no gateway code): a driver, and the gateway's ports implemented over
// one JSON file, so that a restart reads what the previous "process" wrote.
// It passes the same lifecycle suite as alerting (apps/gateway/src/alerting-capability/).
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CapabilityBackend,
  type CapabilityDriver,
  type ClusterCapabilities,
  NodeConfigSync,
  type NodeConfigs,
  type NodeReach,
  type NodeStatuses,
  type RevisedNodeConfig,
  SqliteTaskStore,
  type RunningTask,
  type UninstallInput,
} from '@app/capability';
import { describeCapabilityLifecycle, TestNodeReach } from '@app/capability-testing';
import { core, type capability } from '@app/proto';
import { NotFoundError, systemClock, UnavailableError } from '@app/runtime';
import { waitFor } from '@app/testing';

const EXAMPLE = 'example';

/** The file's content: instants as ms since the epoch, revisions as numbers. */
interface ExampleState {
  clusters: Record<string, { capabilities: { name: string; deletionTimestamp?: number }[] }>;
  /** Per "<cluster>/<capability>": what the node should run. */
  nodeConfigs: Record<string, { enabled: boolean; revision: number }>;
  /** Per "<cluster>/<capability>": the node's last sync. */
  nodeStatuses: Record<string, { enabled: boolean; lastSync: number; conditions: string[]; lastRevision: number }>;
  /** Per cluster: what the example capability stored for it (deleted on uninstall with deleteStoredData). */
  data: Record<string, string[]>;
}

/** The ports over one JSON file, rewritten whole (write a temporary file, rename) on every change. */
class JsonFileClusters implements ClusterCapabilities, NodeStatuses, NodeConfigs<RevisedNodeConfig> {
  constructor(private readonly path: string) {}

  async register(clusterId: string): Promise<void> {
    this.change((state) => {
      state.clusters[clusterId] ??= { capabilities: [] };
      state.data[clusterId] ??= ['something the example capability stored'];
    });
  }

  async capability(clusterId: string, name: string): Promise<core.ClusterCapability | undefined> {
    const found = this.cluster(this.read(), clusterId).capabilities.find((c) => c.name === name);
    if (!found) return undefined;
    return found.deletionTimestamp === undefined
      ? { name }
      : { name, deletionTimestamp: new Date(found.deletionTimestamp) };
  }

  async addCapability(clusterId: string, name: string): Promise<void> {
    this.change((state) => {
      const { capabilities } = this.cluster(state, clusterId);
      if (!capabilities.some((c) => c.name === name)) capabilities.push({ name });
    });
  }

  async setDeletionTimestamp(clusterId: string, name: string, at: Date | undefined): Promise<void> {
    this.change((state) => {
      for (const c of this.cluster(state, clusterId).capabilities) {
        if (c.name === name) c.deletionTimestamp = at?.getTime();
      }
    });
  }

  async removeCapability(clusterId: string, name: string): Promise<void> {
    this.change((state) => {
      const found = this.cluster(state, clusterId);
      found.capabilities = found.capabilities.filter((c) => c.name !== name);
    });
  }

  async nodeStatus(clusterId: string, name: string): Promise<capability.NodeCapabilityStatus | undefined> {
    const status = this.read().nodeStatuses[`${clusterId}/${name}`];
    return (
      status && {
        enabled: status.enabled,
        lastSync: new Date(status.lastSync),
        conditions: status.conditions,
        lastRevision: { revision: BigInt(status.lastRevision) },
      }
    );
  }

  async nodeConfig(clusterId: string, name: string): Promise<RevisedNodeConfig> {
    const { enabled, revision } = this.read().nodeConfigs[`${clusterId}/${name}`] ?? { enabled: false, revision: 0 };
    return { enabled, revision: BigInt(revision) };
  }

  setNodeEnabled(clusterId: string, name: string, enabled: boolean): void {
    this.change((state) => {
      const key = `${clusterId}/${name}`;
      const current = state.nodeConfigs[key] ?? { enabled: false, revision: 0 };
      if (current.enabled !== enabled) state.nodeConfigs[key] = { enabled, revision: current.revision + 1 };
    });
  }

  async recordSync(clusterId: string, name: string, status: capability.NodeCapabilityStatus): Promise<void> {
    this.change((state) => {
      state.nodeStatuses[`${clusterId}/${name}`] = {
        enabled: status.enabled,
        lastSync: status.lastSync!.getTime(),
        conditions: status.conditions,
        lastRevision: Number(status.lastRevision?.revision ?? 0n),
      };
    });
  }

  /** Deletes what the capability stored for the cluster; how many items. */
  deleteData(clusterId: string): number {
    let deleted = 0;
    this.change((state) => {
      deleted = state.data[clusterId]?.length ?? 0;
      state.data[clusterId] = [];
    });
    return deleted;
  }

  private cluster(state: ExampleState, clusterId: string): ExampleState['clusters'][string] {
    const found = state.clusters[clusterId];
    if (!found) throw new NotFoundError(`cluster ${clusterId} is not known`);
    return found;
  }

  private read(): ExampleState {
    if (!existsSync(this.path)) return { clusters: {}, nodeConfigs: {}, nodeStatuses: {}, data: {} };
    return JSON.parse(readFileSync(this.path, 'utf8')) as ExampleState;
  }

  private change(mutate: (state: ExampleState) => void): void {
    const state = this.read();
    mutate(state);
    writeFileSync(`${this.path}.tmp`, JSON.stringify(state));
    renameSync(`${this.path}.tmp`, this.path);
  }
}

/** The example capability's driver: switches its node configuration, and deletes its data when asked. */
class ExampleDriver implements CapabilityDriver {
  readonly details: capability.Details = { name: EXAMPLE, source: 'capability-kit tests', drivers: ['json-file'] };
  /** Every call, in order, e.g. "enable c1", "uninstall c1 deleteStoredData=true". */
  readonly calls: string[] = [];

  constructor(
    private readonly clusters: JsonFileClusters,
    private readonly nodes: NodeReach,
  ) {}

  async enable(clusterId: string): Promise<void> {
    this.calls.push(`enable ${clusterId}`);
    this.clusters.setNodeEnabled(clusterId, EXAMPLE, true);
  }

  async uninstall(task: RunningTask<UninstallInput>): Promise<void> {
    const { clusterId, deleteStoredData } = task.input;
    this.calls.push(`uninstall ${clusterId} deleteStoredData=${deleteStoredData}`);
    this.clusters.setNodeEnabled(clusterId, EXAMPLE, false);
    await task.progress(1, 2);
    task.throwIfCanceled();
    try {
      await this.nodes.syncNow(clusterId, [EXAMPLE]);
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      await task.log(`${error.message}; the node stops when it reconnects`, 'warn');
    }
    task.throwIfCanceled();
    if (deleteStoredData) await task.log(`deleted ${this.clusters.deleteData(clusterId)} stored items`);
    await task.progress(2, 2);
  }

  installerTemplate(): string {
    return 'EXAMPLE_GATEWAY={{ .Address }}:{{ .Port }} EXAMPLE_TOKEN={{ .Token }} EXAMPLE_PIN={{ .Pin }} example-agent';
  }
}

describeCapabilityLifecycle({
  name: EXAMPLE,
  async open({ dataDir, tasks, nodes, clock }) {
    const clusters = new JsonFileClusters(join(dataDir, 'clusters.json'));
    const driver = new ExampleDriver(clusters, nodes);
    // The kit's gateway half of a node's sync, over the same file.
    const nodeSync = new NodeConfigSync(EXAMPLE, clusters, clock);
    return {
      backend: new CapabilityBackend({ driver, clusters, statuses: clusters, nodes, tasks, clock }),
      clusters,
      registerCluster: (clusterId) => clusters.register(clusterId),
      // The node's first sync: it runs no configuration yet.
      reportSync: async (clusterId, conditions) => {
        await nodeSync.sync(clusterId, { conditions });
      },
      nodeEnabled: async (clusterId) => (await clusters.nodeConfig(clusterId, EXAMPLE)).enabled,
      close: async () => undefined,
    };
  },
});

// What the suite cannot see from outside a driver: which driver calls the kit made.
describe('example driver, driven by the kit', () => {
  let dataDir: string;
  let tasks: SqliteTaskStore;
  let clusters: JsonFileClusters;
  let driver: ExampleDriver;
  let backend: CapabilityBackend;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'example-driver-'));
    tasks = new SqliteTaskStore(join(dataDir, 'tasks.db'));
    clusters = new JsonFileClusters(join(dataDir, 'clusters.json'));
    const nodes = new TestNodeReach();
    driver = new ExampleDriver(clusters, nodes);
    backend = new CapabilityBackend({ driver, clusters, statuses: clusters, nodes, tasks, clock: systemClock });
    await backend.start();
    await clusters.register('c1');
  });

  afterEach(async () => {
    await backend.stop();
    await tasks.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('enables on install, enables again when an uninstall is canceled, and uninstalls with the options given', async () => {
    await backend.install('c1', false);
    await backend.uninstall('c1', { initialDelay: '1h' });
    await backend.cancelUninstall('c1');
    expect(driver.calls).toEqual(['enable c1', 'enable c1']);

    await backend.uninstall('c1', { deleteStoredData: true });
    await waitFor(async () => (await backend.uninstallStatus('c1')).state === core.TaskState.Completed, {
      description: 'the uninstall to complete',
    });
    expect(driver.calls).toEqual(['enable c1', 'enable c1', 'uninstall c1 deleteStoredData=true']);
    expect(clusters.deleteData('c1')).toBe(0); // already deleted by the uninstall
  });
});

import type { capability } from '@app/proto';
import { NodeConfigSync, type NodeConfigs, type RevisedNodeConfig } from './node-config-sync.js';

interface ExampleConfig extends RevisedNodeConfig {
  spec: { level: number };
}

/** The NodeConfigs port in memory: desired configurations set by the test, syncs recorded. */
class MemoryNodeConfigs implements NodeConfigs<ExampleConfig> {
  readonly configs = new Map<string, ExampleConfig>();
  readonly syncs: { key: string; status: capability.NodeCapabilityStatus }[] = [];

  async nodeConfig(clusterId: string, name: string): Promise<ExampleConfig> {
    return this.configs.get(`${clusterId}/${name}`) ?? { enabled: false, revision: 0n, spec: { level: 0 } };
  }

  async recordSync(clusterId: string, name: string, status: capability.NodeCapabilityStatus): Promise<void> {
    this.syncs.push({ key: `${clusterId}/${name}`, status });
  }
}

describe('NodeConfigSync', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5);
  let configs: MemoryNodeConfigs;
  let sync: NodeConfigSync<ExampleConfig>;

  beforeEach(() => {
    configs = new MemoryNodeConfigs();
    configs.configs.set('c1/example', { enabled: true, revision: 3n, spec: { level: 7 } });
    sync = new NodeConfigSync('example', configs, { now: () => at });
  });

  it('answers up to date when the node runs the desired revision', async () => {
    expect(await sync.sync('c1', { revision: 3n, conditions: [] })).toEqual({
      upToDate: true,
      desired: { enabled: true, revision: 3n, spec: { level: 7 } },
    });
  });

  it.each([
    ['an older revision', 2n],
    ['no configuration yet', undefined],
  ])('answers with the desired configuration when the node runs %s', async (_, revision) => {
    expect(await sync.sync('c1', { revision, conditions: [] })).toEqual({
      upToDate: false,
      desired: { enabled: true, revision: 3n, spec: { level: 7 } },
    });
  });

  it('answers a never configured node with revision 0: not enabled', async () => {
    expect(await sync.sync('c2', { conditions: [] })).toEqual({
      upToDate: false,
      desired: { enabled: false, revision: 0n, spec: { level: 0 } },
    });
    expect(await sync.sync('c2', { revision: 0n, conditions: [] })).toMatchObject({ upToDate: true });
  });

  it('records every sync as the node status of its cluster and capability, with the conditions reported', async () => {
    await sync.sync('c1', { revision: 2n, conditions: ['Backend Disabled'] });
    await sync.sync('c1', { revision: 3n, conditions: [] });
    expect(configs.syncs).toEqual([
      {
        key: 'c1/example',
        status: {
          enabled: true,
          lastSync: new Date(at),
          conditions: ['Backend Disabled'],
          lastRevision: { revision: 3n },
        },
      },
      {
        key: 'c1/example',
        status: { enabled: true, lastSync: new Date(at), conditions: [], lastRevision: { revision: 3n } },
      },
    ]);
  });
});

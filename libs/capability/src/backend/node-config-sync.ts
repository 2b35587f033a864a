import type { capability } from '@app/proto';
import type { Clock } from '@app/runtime';

/** The part of a node configuration every capability has: on or off, and a revision that grows with every change. */
export interface RevisedNodeConfig {
  enabled: boolean;
  revision: bigint;
  /** When the revision was made, if known (core.Revision.timestamp). */
  revisedAt?: Date;
}

/**
 * Where the gateway keeps, per (cluster, capability), what the node should
 * run and what its last sync was (the gateway's cluster registry): the port
 * NodeConfigSync answers a node's sync from. `C` is the capability's whole
 * configuration (its spec included).
 */
export interface NodeConfigs<C extends RevisedNodeConfig> {
  /** What the node should run (not enabled, revision 0, when never configured). */
  nodeConfig(clusterId: string, name: string): Promise<C>;
  /** Records the sync; what NodeStatuses.nodeStatus (capability.Backend/Status) then serves. */
  recordSync(clusterId: string, name: string, status: capability.NodeCapabilityStatus): Promise<void>;
}

/** What a node says when it syncs: the revision it runs (none before its first configuration) and its conditions. */
export interface NodeSyncReport {
  revision?: bigint;
  conditions: string[];
}

/** The answer to a node's sync: whether it runs the desired revision, and the desired configuration. */
export interface NodeSyncAnswer<C> {
  upToDate: boolean;
  desired: C;
}

/**
 * The gateway's half of a capability's node configuration sync, the same for
 * every capability (alerting.AlertingNodeConfiguration/Sync is one wire form
 * of it): records the sync as the node's status (served by Status) and
 * answers up to date when the node runs the desired revision; otherwise the
 * capability sends the desired configuration in its own wire form.
 */
export class NodeConfigSync<C extends RevisedNodeConfig> {
  constructor(
    private readonly name: string,
    private readonly configs: NodeConfigs<C>,
    private readonly clock: Clock,
  ) {}

  async sync(clusterId: string, report: NodeSyncReport): Promise<NodeSyncAnswer<C>> {
    const desired = await this.configs.nodeConfig(clusterId, this.name);
    await this.configs.recordSync(clusterId, this.name, {
      enabled: desired.enabled,
      lastSync: new Date(this.clock.now()),
      conditions: report.conditions,
      lastRevision: { revision: desired.revision, timestamp: desired.revisedAt },
    });
    return { upToDate: report.revision === desired.revision, desired };
  }
}

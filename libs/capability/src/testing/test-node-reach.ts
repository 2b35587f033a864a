import { UnavailableError } from '@app/runtime';
import type { NodeReach } from '../backend/capability-ports.js';

/** One capability.Node/SyncNow the backend or driver asked for. */
export interface NodeSyncCall {
  clusterId: string;
  capabilityNames: string[];
}

/**
 * A NodeReach for tests: the port through which a backend reaches a cluster's
 * agent, implemented by the test because "is the agent connected now" is what
 * the test decides. It is not a mock of the thing under test: the backend and
 * driver run for real over it. It records every call and answers like the
 * gateway's AgentNodes: it resolves (the agent synced) for a reachable
 * cluster and rejects with UnavailableError for an offline one. Every cluster
 * is reachable until setReachable(clusterId, false).
 */
export class TestNodeReach implements NodeReach {
  readonly calls: NodeSyncCall[] = [];
  private readonly offline = new Set<string>();

  setReachable(clusterId: string, reachable: boolean): void {
    if (reachable) this.offline.delete(clusterId);
    else this.offline.add(clusterId);
  }

  /** The calls for one cluster, oldest first. */
  callsFor(clusterId: string): NodeSyncCall[] {
    return this.calls.filter((call) => call.clusterId === clusterId);
  }

  async syncNow(clusterId: string, capabilityNames: string[]): Promise<void> {
    this.calls.push({ clusterId, capabilityNames: [...capabilityNames] });
    if (this.offline.has(clusterId)) {
      throw new UnavailableError(`the agent of cluster ${clusterId} is not connected (offline in this test)`);
    }
  }
}

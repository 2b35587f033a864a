import type { capability, core } from '@app/proto';

/**
 * The ports a CapabilityBackend needs from the gateway it runs in. The
 * gateway implements them once (its cluster registry, its agent sessions)
 * for every capability.
 */

/** Which capabilities each cluster has (core.ClusterMetadata.capabilities). */
export interface ClusterCapabilities {
  /** The capability as installed on the cluster, or undefined; NotFoundError when the cluster is unknown. */
  capability(clusterId: string, name: string): Promise<core.ClusterCapability | undefined>;
  /** Adds the capability (no deletionTimestamp); a no-op when it is there. NotFoundError for an unknown cluster. */
  addCapability(clusterId: string, name: string): Promise<void>;
  /** Sets (a Date) or clears (undefined) the capability's deletionTimestamp. */
  setDeletionTimestamp(clusterId: string, name: string, at: Date | undefined): Promise<void>;
  /** Removes the capability; a no-op when it is not there. */
  removeCapability(clusterId: string, name: string): Promise<void>;
}

/** The last sync of each (cluster, capability), as capability.Backend/Status serves it. */
export interface NodeStatuses {
  nodeStatus(clusterId: string, name: string): Promise<capability.NodeCapabilityStatus | undefined>;
}

/**
 * Injection token of the gateway's NodeReach: a capability's backend and
 * driver depend on the port, not on the gateway's session classes, so that
 * they can be built over any NodeReach (the lifecycle suite's, for one).
 */
export const NODE_REACH = Symbol('NodeReach');

/** Reaching a cluster's agent, always over the agent's own session (the gateway never dials an agent). */
export interface NodeReach {
  /**
   * Asks the cluster's agent to sync the named capabilities now (capability.Node/SyncNow)
   * and resolves once it has; rejects with UnavailableError when the agent is not
   * connected or does not answer.
   */
  syncNow(clusterId: string, capabilityNames: string[]): Promise<void>;
}

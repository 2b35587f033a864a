import type { capability } from '@app/proto';

/** Injection token of the gateway's cluster storage (SQLite by default). */
export const CLUSTER_STORE = Symbol('ClusterStore');

/**
 * Injection token of a boolean bound by StorageModule: true when other
 * gateways (replicas) write the same stores, so what a store returned may be
 * changed by another process at any moment and must not be cached.
 */
export const STORES_SHARED = Symbol('StoresShared');

/** A downstream cluster as the gateway knows it. */
export interface ClusterRecord {
  id: string;
  labels: Record<string, string>;
  capabilities: { name: string; deletionTimestamp?: Date }[];
  /** When it joined (its agent redeemed a bootstrap token). */
  joinedAt: Date;
  /** The last session's start, peer address and agent version; unset until the first session. */
  lastConnectedAt?: Date;
  lastAddress?: string;
  agentVersion?: string;
}

/** What a capability's node should run, as the gateway last decided (revision increases with every change). */
export interface NodeConfigRecord {
  enabled: boolean;
  revision: bigint;
  /** When this revision was made (unset in records written before it was kept). */
  revisedAt?: Date;
  /** Capability-specific settings, JSON-serialisable. */
  spec: Record<string, unknown>;
}

/**
 * Clusters, their keys, their capabilities, and per (cluster, capability) the node's
 * desired configuration and last sync. Adapters are bound in ClustersModule
 * (SQLite, or PostgreSQL shared by several gateways). Writes are durable when
 * they resolve. Several gateways may change one cluster at once: update()
 * takes a lock on the record (no change is lost), putNodeConfigIf() is a
 * compare-and-set on the revision (the loser re-reads and decides again).
 */
export interface ClusterStore {
  get(id: string): Promise<ClusterRecord | undefined>;
  list(): Promise<ClusterRecord[]>;
  /** Creates or replaces the record. */
  put(record: ClusterRecord): Promise<void>;
  /**
   * Replaces the record with `change(current)` while holding a lock on it, so
   * concurrent updates (from this gateway or another) apply one after the
   * other and none is lost; `change` must be synchronous and without side
   * effects. The new record, or undefined (nothing written) for an unknown cluster.
   */
  update(id: string, change: (record: ClusterRecord) => ClusterRecord): Promise<ClusterRecord | undefined>;
  /** Creates the record with the cluster's key, in one transaction; false (and nothing written) when it exists. */
  create(record: ClusterRecord, key: Buffer): Promise<boolean>;
  /** The cluster's shared key from its join; undefined for an unknown cluster. */
  clusterKey(id: string): Promise<Buffer | undefined>;
  /** Deletes the cluster, its key, node configurations and statuses; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  nodeConfig(clusterId: string, capability: string): Promise<NodeConfigRecord | undefined>;
  putNodeConfig(clusterId: string, capability: string, config: NodeConfigRecord): Promise<void>;
  /**
   * Writes `config` only if the stored configuration's revision is
   * `expectedRevision` (0n: none stored yet), atomically: false, and nothing
   * written, when another write came first.
   */
  putNodeConfigIf(
    clusterId: string,
    capability: string,
    expectedRevision: bigint,
    config: NodeConfigRecord,
  ): Promise<boolean>;
  nodeStatus(clusterId: string, capability: string): Promise<capability.NodeCapabilityStatus | undefined>;
  putNodeStatus(clusterId: string, capability: string, status: capability.NodeCapabilityStatus): Promise<void>;
  close(): Promise<void>;
}

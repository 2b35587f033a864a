import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { capability, core } from '@app/proto';
import type { ClusterCapabilities, NodeConfigs, NodeStatuses } from '@app/capability';
import { AlreadyExistsError, CLOCK, NotFoundError, type Clock } from '@app/runtime';
import {
  CLUSTER_STORE,
  STORES_SHARED,
  type ClusterRecord,
  type ClusterStore,
  type NodeConfigRecord,
} from './cluster-store.js';

/** A node's configuration before the gateway ever decided one: not enabled. */
const UNCONFIGURED: NodeConfigRecord = { enabled: false, revision: 0n, spec: {} };

/** Where a connected agent's session came from. */
export interface ConnectionDetails {
  address: string;
  agentVersion: string;
}

/**
 * The gateway's clusters: registered when their agent joins, with their key,
 * their capabilities, each capability's node configuration and last sync
 * (persisted through the ClusterStore port), and what is only live state:
 * whether the agent is connected now and its last reported health.
 * Changes to one cluster are applied one at a time, so concurrent calls
 * (a connection and an install) never overwrite each other.
 */
@Injectable()
export class ClusterRegistry implements ClusterCapabilities, NodeStatuses, NodeConfigs<NodeConfigRecord> {
  private readonly logger = new Logger(ClusterRegistry.name);
  private readonly connectedSince = new Map<string, Date>();
  /** Connections being recorded: the latest attempt per cluster. */
  private readonly connecting = new Map<string, symbol>();
  private readonly healthByCluster = new Map<string, core.Health>();
  private readonly nodeConfigs = new Map<string, NodeConfigRecord>();
  private readonly nodeConfigReads = new Map<string, Promise<NodeConfigRecord>>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(CLUSTER_STORE) private readonly store: ClusterStore,
    @Inject(CLOCK) private readonly clock: Clock,
    // Replicas: another gateway may change a node configuration at any time, so it is read from the store.
    @Optional() @Inject(STORES_SHARED) private readonly shared = false,
  ) {}

  /**
   * Registers a cluster that joined, with the key both sides derived and the
   * labels of the token it joined with. AlreadyExistsError when the id is
   * taken: a second agent cannot join as an existing cluster.
   */
  async join(clusterId: string, key: Buffer, labels: Record<string, string>): Promise<ClusterRecord> {
    const record: ClusterRecord = {
      id: clusterId,
      labels,
      capabilities: [],
      joinedAt: new Date(this.clock.now()),
    };
    if (!(await this.store.create(record, key))) {
      throw new AlreadyExistsError(`cluster ${clusterId} has already joined; delete it at the gateway to join again`);
    }
    this.logger.log({ event: 'cluster-joined', cluster: clusterId, labels }, `cluster ${clusterId} joined`);
    return record;
  }

  /** The cluster's key from its join; undefined when it never joined or was deleted. */
  clusterKey(clusterId: string): Promise<Buffer | undefined> {
    return this.store.clusterKey(clusterId);
  }

  /** Deletes a cluster (its key, capabilities and node state); NotFoundError when unknown. Its agent must join again. */
  async delete(clusterId: string): Promise<void> {
    await this.serialized(clusterId, async () => {
      if (!(await this.store.delete(clusterId))) throw new NotFoundError(`cluster ${clusterId} is not known`);
    });
    for (const key of this.nodeConfigs.keys()) if (key.startsWith(`${clusterId}/`)) this.nodeConfigs.delete(key);
    this.disconnected(clusterId);
    this.logger.log({ event: 'cluster-deleted', cluster: clusterId }, `cluster ${clusterId} deleted`);
  }

  /**
   * An agent's authenticated session was established: records the connection.
   * The cluster counts as connected once the record names this connection
   * (address, agent version), so no reader sees it connected with the last
   * connection's details; a disconnection meanwhile wins.
   */
  async connected(clusterId: string, details: ConnectionDetails): Promise<ClusterRecord> {
    const now = new Date(this.clock.now());
    const attempt = Symbol(clusterId);
    this.connecting.set(clusterId, attempt);
    try {
      const record = await this.changeExisting(clusterId, (record) => ({
        ...record,
        lastConnectedAt: now,
        lastAddress: details.address,
        agentVersion: details.agentVersion,
      }));
      if (this.connecting.get(clusterId) === attempt) this.connectedSince.set(clusterId, now);
      return record;
    } finally {
      if (this.connecting.get(clusterId) === attempt) this.connecting.delete(clusterId);
    }
  }

  /** The agent's session ended (its health is then unknown). */
  disconnected(clusterId: string): void {
    this.connecting.delete(clusterId);
    this.connectedSince.delete(clusterId);
    this.healthByCluster.delete(clusterId);
  }

  isConnected(clusterId: string): boolean {
    return this.connectedSince.has(clusterId);
  }

  /** The clusters connected to this gateway now (a copy). */
  connectedClusters(): Set<string> {
    return new Set(this.connectedSince.keys());
  }

  /** NotFoundError for an unknown cluster. */
  async get(clusterId: string): Promise<ClusterRecord> {
    const record = await this.store.get(clusterId);
    if (!record) throw new NotFoundError(`cluster ${clusterId} is not known (it has not joined)`);
    return record;
  }

  list(): Promise<ClusterRecord[]> {
    return this.store.list();
  }

  setHealth(clusterId: string, health: core.Health): void {
    // Health may come with the session, before its connection is recorded.
    if (this.isConnected(clusterId) || this.connecting.has(clusterId)) this.healthByCluster.set(clusterId, health);
  }

  health(clusterId: string): core.Health | undefined {
    return this.healthByCluster.get(clusterId);
  }

  async capability(clusterId: string, name: string): Promise<core.ClusterCapability | undefined> {
    return (await this.get(clusterId)).capabilities.find((c) => c.name === name);
  }

  async addCapability(clusterId: string, name: string): Promise<void> {
    await this.changeExisting(clusterId, (record) =>
      record.capabilities.some((c) => c.name === name)
        ? record
        : { ...record, capabilities: [...record.capabilities, { name }] },
    );
  }

  async setDeletionTimestamp(clusterId: string, name: string, at: Date | undefined): Promise<void> {
    await this.changeExisting(clusterId, (record) => ({
      ...record,
      capabilities: record.capabilities.map((c) => (c.name === name ? { name, deletionTimestamp: at } : c)),
    }));
  }

  async removeCapability(clusterId: string, name: string): Promise<void> {
    await this.changeExisting(clusterId, (record) => ({
      ...record,
      capabilities: record.capabilities.filter((c) => c.name !== name),
    }));
  }

  nodeStatus(clusterId: string, name: string): Promise<capability.NodeCapabilityStatus | undefined> {
    return this.store.nodeStatus(clusterId, name);
  }

  recordSync(clusterId: string, name: string, status: capability.NodeCapabilityStatus): Promise<void> {
    return this.store.putNodeStatus(clusterId, name, status);
  }

  /** nodeConfig() without waiting, when it is cached (it is after the first read or write). */
  cachedNodeConfig(clusterId: string, name: string): NodeConfigRecord | undefined {
    return this.shared ? undefined : this.nodeConfigs.get(`${clusterId}/${name}`);
  }

  /** What the capability's node on the cluster should run (not enabled when never configured). */
  async nodeConfig(clusterId: string, name: string): Promise<NodeConfigRecord> {
    const key = `${clusterId}/${name}`;
    const cached = this.shared ? undefined : this.nodeConfigs.get(key);
    if (cached) return cached;
    // Calls made while a read is in flight share it, and so resume in the order they came: pushes that
    // arrived one after the other are stored in that order.
    let reading = this.nodeConfigReads.get(key);
    if (!reading) {
      reading = this.store.nodeConfig(clusterId, name).then((config) => config ?? UNCONFIGURED);
      this.nodeConfigReads.set(key, reading);
      void reading.then(
        (config) => {
          if (this.nodeConfigReads.get(key) === reading) this.nodeConfigReads.delete(key);
          if (!this.shared && !this.nodeConfigs.has(key)) this.nodeConfigs.set(key, config);
        },
        () => this.nodeConfigReads.delete(key),
      );
    }
    return reading;
  }

  /**
   * Applies `update` (pure: it runs again if another gateway changed the
   * configuration first) to the node configuration; a changed configuration
   * gets the next revision.
   */
  async updateNodeConfig(
    clusterId: string,
    name: string,
    update: (config: NodeConfigRecord) => Omit<NodeConfigRecord, 'revision' | 'revisedAt'>,
  ): Promise<NodeConfigRecord> {
    const key = `${clusterId}/${name}`;
    return this.serialized(key, async () => {
      for (;;) {
        const current = await this.nodeConfig(clusterId, name);
        const next = update(current);
        if (next.enabled === current.enabled && JSON.stringify(next.spec) === JSON.stringify(current.spec)) {
          return current;
        }
        const config = { ...next, revision: current.revision + 1n, revisedAt: new Date(this.clock.now()) };
        if (await this.store.putNodeConfigIf(clusterId, name, current.revision, config)) {
          if (!this.shared) this.nodeConfigs.set(key, config);
          return config;
        }
        // Another gateway sharing the store changed it since it was cached: decide again from what it wrote.
        this.nodeConfigs.delete(key);
      }
    });
  }

  /** Applies `update` to the cluster's record, after earlier changes to it; NotFoundError for an unknown cluster. */
  private changeExisting(clusterId: string, update: (record: ClusterRecord) => ClusterRecord): Promise<ClusterRecord> {
    return this.serialized(clusterId, async () => {
      // Under the store's lock on the record: a change made meanwhile by another gateway is not lost either.
      const next = await this.store.update(clusterId, update);
      if (!next) throw new NotFoundError(`cluster ${clusterId} is not known (it has not joined)`);
      return next;
    });
  }

  /** Runs `work` after every earlier piece of work with the same key. */
  private serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return result;
  }
}

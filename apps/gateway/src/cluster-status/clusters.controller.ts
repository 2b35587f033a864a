import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { core } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import type { ClusterRecord } from '../clusters/cluster-store.js';
import { AgentNodes } from '../sessions/agent-nodes.js';
import { ClusterHealth } from './cluster-health.js';

export interface HealthView {
  ready: boolean;
  conditions: string[];
  annotations: Record<string, string>;
  /** When the agent's health last changed. */
  timestamp: string | undefined;
}

export interface ClusterView {
  id: string;
  labels: Record<string, string>;
  capabilities: { name: string; deletionTimestamp?: string }[];
  connected: boolean;
  firstSeenAt: string;
  lastConnectedAt: string;
  lastAddress: string;
  agentVersion: string;
  /** The agent's last reported health while it is connected; null otherwise. */
  health: HealthView | null;
}

function healthView(health: core.Health): HealthView {
  return {
    ready: health.ready,
    conditions: health.conditions,
    annotations: health.annotations,
    timestamp: health.timestamp?.toISOString(),
  };
}

/** Clusters for operators and the admin page: registration, capabilities, connection and health. */
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(
    private readonly clusters: ClusterRegistry,
    private readonly health: ClusterHealth,
    private readonly nodes: AgentNodes,
  ) {}

  @Get()
  async list(): Promise<{ clusters: ClusterView[] }> {
    return { clusters: (await this.clusters.list()).map((record) => this.view(record)) };
  }

  @Get(':cluster')
  async get(@Param('cluster') cluster: string): Promise<ClusterView> {
    return this.view(await this.clusters.get(cluster));
  }

  /** The agent's health; with ?live=true asked now over its session rather than the last one reported. */
  @Get(':cluster/health')
  async getHealth(@Param('cluster') cluster: string, @Query('live') live?: string): Promise<HealthView> {
    if (live !== undefined && live !== 'true' && live !== 'false') {
      throw new InvalidArgumentError('live', 'must be true or false');
    }
    await this.clusters.get(cluster); // NotFoundError for an unknown cluster
    const health = live === 'true' ? await this.health.refresh(cluster) : this.clusters.health(cluster);
    if (!health) return healthView(await this.health.refresh(cluster));
    return healthView(health);
  }

  /** Asks the agent to sync every capability now (capability.Node/SyncNow over its session). */
  @Post(':cluster/sync')
  @HttpCode(200)
  async sync(@Param('cluster') cluster: string): Promise<{ synced: true }> {
    await this.clusters.get(cluster);
    await this.nodes.syncNow(cluster, []);
    return { synced: true };
  }

  private view(record: ClusterRecord): ClusterView {
    const health = this.clusters.health(record.id);
    return {
      id: record.id,
      labels: record.labels,
      capabilities: record.capabilities.map((c) => ({
        name: c.name,
        ...(c.deletionTimestamp && { deletionTimestamp: c.deletionTimestamp.toISOString() }),
      })),
      connected: this.clusters.isConnected(record.id),
      firstSeenAt: record.firstSeenAt.toISOString(),
      lastConnectedAt: record.lastConnectedAt.toISOString(),
      lastAddress: record.lastAddress,
      agentVersion: record.agentVersion,
      health: health ? healthView(health) : null,
    };
  }
}

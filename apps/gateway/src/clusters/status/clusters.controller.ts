import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { ClusterListJson, ClusterView, HealthView } from '@app/admin-api';
import type { core } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { ClusterRegistry } from '../cluster-registry.js';
import type { ClusterRecord } from '../cluster-store.js';
import { AgentNodes } from '../../sessions/agent-nodes.js';
import { AgentSessions } from '../../sessions/agent-sessions.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../../notifications/store/notification-store.js';
import { ClusterHealth } from './cluster-health.js';
import { clusterListQuery, listClusters, type QueryParams } from './cluster-list.js';

function healthView(health: core.Health): HealthView {
  return {
    ready: health.ready,
    conditions: health.conditions,
    annotations: health.annotations,
    timestamp: health.timestamp?.toISOString(),
  };
}

/** Clusters for operators and the admin page: registration, capabilities, connection and health; deletion. */
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(
    private readonly clusters: ClusterRegistry,
    private readonly health: ClusterHealth,
    private readonly nodes: AgentNodes,
    private readonly sessions: AgentSessions,
    @Inject(NOTIFICATION_STORE) private readonly notifications: NotificationStore,
  ) {}

  /**
   * ?q=&connected=&alerting=&sort=&order=&limit=&offset= — filtered, sorted
   * and paged here: connection and health are the gateway's live state, so
   * the whole list (a thousand clusters is a few milliseconds) is built first.
   */
  @Get()
  async list(@Query() params: QueryParams): Promise<ClusterListJson> {
    const query = clusterListQuery(params); // a bad parameter is a 400 before any work
    const connected = await this.connectedNow();
    const [records, lastNotifications] = await Promise.all([
      this.clusters.list(),
      this.notifications.lastReceivedByCluster(),
    ]);
    return listClusters(
      records.map((record) => this.view(record, lastNotifications, connected)),
      query,
    );
  }

  @Get(':cluster')
  async get(@Param('cluster') cluster: string): Promise<ClusterView> {
    const connected = await this.connectedNow();
    const [record, lastNotifications] = await Promise.all([
      this.clusters.get(cluster),
      this.notifications.lastReceivedByCluster(),
    ]);
    return this.view(record, lastNotifications, connected);
  }

  /**
   * The clusters connected here or with another replica, taken before their
   * records are read: a connection is counted only once its record names it,
   * so a record read after this never shows a counted connection's old details.
   */
  private async connectedNow(): Promise<Set<string>> {
    const here = this.clusters.connectedClusters();
    return new Set([...here, ...(await this.sessions.connectedElsewhere())]);
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

  /**
   * Deletes the cluster: its key, capabilities and node state (stored
   * notifications stay until retention removes them). Its session is closed
   * with UNAUTHENTICATED and its agent stops; it must join again, with a new token.
   */
  @Delete(':cluster')
  @HttpCode(204)
  async delete(@Param('cluster') cluster: string): Promise<void> {
    await this.clusters.delete(cluster);
    await this.sessions.closeCluster(
      cluster,
      `cluster ${cluster} was deleted at the gateway; join again with a new token`,
    );
  }

  /** Asks the agent to sync every capability now (capability.Node/SyncNow over its session). */
  @Post(':cluster/sync')
  @HttpCode(200)
  async sync(@Param('cluster') cluster: string): Promise<{ synced: true }> {
    await this.clusters.get(cluster);
    await this.nodes.syncNow(cluster, []);
    return { synced: true };
  }

  /** `connected`: clusters whose agents hold their sessions here or with other replicas (connectedNow). */
  private view(record: ClusterRecord, lastNotifications: Map<string, Date>, connected: Set<string>): ClusterView {
    const health = this.clusters.health(record.id);
    return {
      id: record.id,
      labels: record.labels,
      capabilities: record.capabilities.map((c) => ({
        name: c.name,
        ...(c.deletionTimestamp && { deletionTimestamp: c.deletionTimestamp.toISOString() }),
      })),
      connected: connected.has(record.id),
      joinedAt: record.joinedAt.toISOString(),
      lastConnectedAt: record.lastConnectedAt?.toISOString() ?? null,
      lastAddress: record.lastAddress ?? null,
      agentVersion: record.agentVersion ?? null,
      health: health ? healthView(health) : null,
      lastNotificationAt: lastNotifications.get(record.id)?.toISOString() ?? null,
    };
  }
}

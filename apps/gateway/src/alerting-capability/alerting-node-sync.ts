import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ALERTING_CAPABILITY } from '@app/notification';
import { alerting } from '@app/proto';
import { CLOCK, type Clock } from '@app/runtime';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import type { NodeConfigRecord } from '../clusters/cluster-store.js';
import { AgentSessions } from '../sessions/agent-sessions.js';

/** The alerting node configuration as the wire carries it. */
export function alertingNodeConfig(config: NodeConfigRecord): alerting.AlertingNodeConfig {
  return {
    enabled: config.enabled,
    revision: config.revision,
    spec: { purgeQueueRevision: BigInt((config.spec.purgeQueueRevision as bigint | undefined) ?? 0n) },
  };
}

/**
 * alerting.AlertingNodeConfiguration/Sync, served to every agent over its
 * session: the agent says what it runs, the gateway records the sync (what
 * capability.Backend/Status serves) and answers UpToDate or NeedsUpdate with
 * the configuration the cluster's registry holds.
 */
@Injectable()
export class AlertingNodeSync implements OnModuleInit {
  constructor(
    private readonly sessions: AgentSessions,
    private readonly clusters: ClusterRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.sessions.serve('alerting.AlertingNodeConfiguration', (session) => ({
      sync: (request) => this.sync(session.clusterId, request),
    }));
  }

  async sync(clusterId: string, request: alerting.AlertingNodeSyncRequest): Promise<alerting.AlertingNodeSyncResponse> {
    const desired = await this.clusters.nodeConfig(clusterId, ALERTING_CAPABILITY);
    await this.clusters.recordSync(clusterId, ALERTING_CAPABILITY, {
      enabled: desired.enabled,
      lastSync: new Date(this.clock.now()),
      conditions: request.conditions,
      lastRevision: desired.revision,
    });
    if (request.current?.revision === desired.revision) {
      return { configStatus: alerting.ConfigStatus.UpToDate };
    }
    return { configStatus: alerting.ConfigStatus.NeedsUpdate, updatedConfig: alertingNodeConfig(desired) };
  }
}

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { NodeConfigSync } from '@app/capability';
import { ALERTING_CAPABILITY } from '@app/notification-model';
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
 * session: the kit's NodeConfigSync over the cluster registry records the
 * sync (what capability.Backend/Status serves) and decides UpToDate or
 * NeedsUpdate (with the configuration the registry holds) by revision.
 */
@Injectable()
export class AlertingNodeSync implements OnModuleInit {
  private readonly nodeSync: NodeConfigSync<NodeConfigRecord>;

  constructor(
    private readonly sessions: AgentSessions,
    clusters: ClusterRegistry,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.nodeSync = new NodeConfigSync(ALERTING_CAPABILITY, clusters, clock);
  }

  onModuleInit(): void {
    this.sessions.serve('alerting.AlertingNodeConfiguration', (session) => ({
      sync: (request) => this.sync(session.clusterId, request),
    }));
  }

  async sync(clusterId: string, request: alerting.AlertingNodeSyncRequest): Promise<alerting.AlertingNodeSyncResponse> {
    const { upToDate, desired } = await this.nodeSync.sync(clusterId, {
      revision: request.current?.revision,
      conditions: request.conditions,
    });
    if (upToDate) return { configStatus: alerting.ConfigStatus.UpToDate };
    return { configStatus: alerting.ConfigStatus.NeedsUpdate, updatedConfig: alertingNodeConfig(desired) };
  }
}

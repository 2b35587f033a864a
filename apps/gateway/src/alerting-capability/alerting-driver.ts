import { Inject, Injectable } from '@nestjs/common';
import {
  NODE_REACH,
  type CapabilityDriver,
  type NodeReach,
  type RunningTask,
  type UninstallInput,
} from '@app/capability';
import { ALERTING_CAPABILITY } from '@app/notification-model';
import type { capability } from '@app/proto';
import { UnavailableError } from '@app/runtime';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import { INSTALLER_TEMPLATE } from '../enrolment/join-command/installer-template.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../notifications/store/notification-store.js';

/**
 * What alerting adds to the capability lifecycle. Enabled, a cluster's agent
 * pushes its queue (and the gateway accepts the pushes); uninstalling
 * disables that, asks the agent to sync (with deleteStoredData, to purge its
 * queue too: that request travels in the configuration, so an agent that is
 * offline now purges when it reconnects), then deletes the cluster's stored
 * notifications at the gateway. Every step is idempotent.
 */
@Injectable()
export class AlertingDriver implements CapabilityDriver {
  readonly details: capability.Details = {
    name: ALERTING_CAPABILITY,
    source: 'downstream-alerting',
    drivers: ['sqlite'],
  };

  constructor(
    private readonly clusters: ClusterRegistry,
    @Inject(NODE_REACH) private readonly nodes: NodeReach,
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
  ) {}

  async enable(clusterId: string): Promise<void> {
    await this.clusters.updateNodeConfig(clusterId, ALERTING_CAPABILITY, (config) => ({
      enabled: true,
      spec: config.spec,
    }));
  }

  async uninstall(task: RunningTask<UninstallInput>): Promise<void> {
    const { clusterId, deleteStoredData } = task.input;
    const steps = deleteStoredData ? 3 : 2;
    const config = await this.clusters.updateNodeConfig(clusterId, ALERTING_CAPABILITY, (current) => {
      // A purge asked at the latest revision is still the one to do (this step is running again).
      const purgePending = !current.enabled && current.spec.purgeQueueRevision === current.revision;
      return {
        enabled: false,
        spec:
          deleteStoredData && !purgePending
            ? { ...current.spec, purgeQueueRevision: current.revision + 1n }
            : current.spec,
      };
    });
    await task.log(
      `alerting disabled for cluster ${clusterId} (configuration revision ${config.revision}${deleteStoredData ? ', agent queue purge requested' : ''})`,
    );
    await task.progress(1, steps);
    task.throwIfCanceled();

    try {
      await this.nodes.syncNow(clusterId, [ALERTING_CAPABILITY]);
      await task.log(deleteStoredData ? 'the agent stopped pushing and purged its queue' : 'the agent stopped pushing');
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      await task.log(`${error.message}; the agent applies the change when it reconnects`, 'warn');
    }
    await task.progress(2, steps);
    task.throwIfCanceled();

    if (deleteStoredData) {
      const deleted = await this.store.deleteCluster(clusterId);
      await task.log(`deleted ${deleted} stored notifications of cluster ${clusterId}`);
      await task.progress(3, steps);
    }
  }

  /** opni's Go template over Token, Pin, Address and Port: rendered, it is the admin page's join command. */
  installerTemplate(): string {
    return INSTALLER_TEMPLATE;
  }
}

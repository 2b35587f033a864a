import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CapabilityBackend, NODE_REACH, TASK_STORE, type NodeReach, type TaskStore } from '@app/capability';
import { CLOCK, type Clock } from '@app/runtime';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import { AlertingDriver } from './alerting-driver.js';

/**
 * The alerting capability's Backend: the kit's CapabilityBackend with the
 * alerting driver, the gateway's cluster registry and its sessions to agents.
 * Uninstalls interrupted by a restart resume once the application is up.
 */
@Injectable()
export class AlertingBackend extends CapabilityBackend implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(AlertingBackend.name);

  constructor(
    driver: AlertingDriver,
    clusters: ClusterRegistry,
    @Inject(NODE_REACH) nodes: NodeReach,
    @Inject(TASK_STORE) tasks: TaskStore,
    @Inject(CLOCK) clock: Clock,
  ) {
    super({ driver, clusters, statuses: clusters, nodes, tasks, clock, logger: new Logger(CapabilityBackend.name) });
  }

  async onApplicationBootstrap(): Promise<void> {
    const resumed = await this.start();
    if (resumed > 0) {
      this.log.log({ event: 'uninstalls-resumed', count: resumed }, `${resumed} alerting uninstall task(s) resumed`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}

import type { LoggerService } from '@nestjs/common';
import { capability, core } from '@app/proto';
import { FailedPreconditionError, NotFoundError, UnavailableError, type Clock } from '@app/runtime';
import { TaskController } from '../task/task-controller.js';
import { taskStatus } from '../task/task-status.js';
import { isActive } from '../task/task.js';
import type { TaskStore } from '../task/task-store.js';
import type { ClusterCapabilities, NodeReach, NodeStatuses } from './capability-ports.js';
import type { CapabilityDriver, UninstallInput } from './capability-driver.js';
import { parseUninstallOptions } from './uninstall-options.js';

export interface CapabilityBackendOptions {
  driver: CapabilityDriver;
  clusters: ClusterCapabilities;
  statuses: NodeStatuses;
  nodes: NodeReach;
  tasks: TaskStore;
  clock: Clock;
  logger?: Pick<LoggerService, 'log' | 'warn' | 'error'>;
}

/**
 * capability.Backend for one capability, the same lifecycle for every
 * capability: install adds it to the cluster, enables it in the node's
 * configuration and asks the agent to sync; uninstall is an asynchronous,
 * persisted, cancelable task (Pending for its initial delay, then Running the
 * driver's uninstall, then the capability is removed); status is the node's
 * last sync. The driver supplies what differs between capabilities.
 */
export class CapabilityBackend {
  private readonly name: string;
  private readonly uninstalls: TaskController<UninstallInput>;

  constructor(private readonly options: CapabilityBackendOptions) {
    const { driver, clusters, tasks, clock, logger } = options;
    this.name = driver.details.name;
    this.uninstalls = new TaskController<UninstallInput>({
      kind: `${this.name}.uninstall`,
      store: tasks,
      clock,
      logger,
      runner: {
        run: async (task) => {
          await driver.uninstall(task);
          task.throwIfCanceled();
          await clusters.removeCapability(task.input.clusterId, this.name);
          await task.log(`${this.name} removed from cluster ${task.input.clusterId}`);
        },
        canceled: async ({ input }) => {
          // Still installed: clear the mark and make the node run it again.
          await clusters.setDeletionTimestamp(input.clusterId, this.name, undefined);
          await driver.enable(input.clusterId);
          await this.syncNode(input.clusterId);
        },
      },
    });
  }

  /** Resumes uninstalls that were Pending or Running when the gateway stopped. */
  async start(): Promise<number> {
    return this.uninstalls.resume();
  }

  /** Stops running tasks without recording them as ended, so the next start resumes them. */
  async stop(): Promise<void> {
    await this.uninstalls.stop();
  }

  info(): capability.Details {
    return this.options.driver.details;
  }

  /** Throws NotFoundError for an unknown cluster; Success, or Warning when the agent could not be reached yet. */
  async install(clusterId: string, ignoreWarnings: boolean): Promise<capability.InstallResponse> {
    const { clusters, driver } = this.options;
    await clusters.capability(clusterId, this.name); // NotFoundError for an unknown cluster
    if (await this.uninstalling(clusterId)) {
      throw new FailedPreconditionError(
        `${this.name} is being uninstalled from cluster ${clusterId}; cancel the uninstall first`,
      );
    }
    await clusters.addCapability(clusterId, this.name);
    // After a failed uninstall the mark is still there: installing again is how the operator keeps it.
    await clusters.setDeletionTimestamp(clusterId, this.name, undefined);
    await driver.enable(clusterId);
    const reached = await this.syncNode(clusterId);
    if (reached === true || ignoreWarnings) {
      return { status: capability.InstallResponseStatus.Success, message: reached === true ? '' : reached };
    }
    return { status: capability.InstallResponseStatus.Warning, message: reached };
  }

  /** The node's last sync; NotFoundError for an unknown cluster or before the first sync. */
  async status(clusterId: string): Promise<capability.NodeCapabilityStatus> {
    await this.options.clusters.capability(clusterId, this.name); // NotFoundError for an unknown cluster
    const status = await this.options.statuses.nodeStatus(clusterId, this.name);
    if (!status) throw new NotFoundError(`cluster ${clusterId} has not synced ${this.name} yet`);
    return status;
  }

  /** Starts the uninstall task; FailedPreconditionError when not installed or already uninstalling. */
  async uninstall(clusterId: string, rawOptions: Record<string, unknown> | undefined): Promise<void> {
    const options = parseUninstallOptions(rawOptions);
    const { clusters, clock } = this.options;
    const installed = await clusters.capability(clusterId, this.name);
    if (!installed) throw new FailedPreconditionError(`${this.name} is not installed on cluster ${clusterId}`);
    if (await this.uninstalling(clusterId)) {
      throw new FailedPreconditionError(`${this.name} is already being uninstalled from cluster ${clusterId}`);
    }
    await this.uninstalls.start(this.taskId(clusterId), { clusterId, ...options }, { delayMs: options.initialDelayMs });
    await clusters.setDeletionTimestamp(clusterId, this.name, new Date(clock.now()));
  }

  /** NotFoundError when there never was an uninstall task for the cluster. */
  async uninstallStatus(clusterId: string): Promise<core.TaskStatus> {
    const task = await this.uninstalls.status(this.taskId(clusterId));
    if (!task) throw new NotFoundError(`no uninstall of ${this.name} was ever started for cluster ${clusterId}`);
    return taskStatus(task);
  }

  /** Cancels a Pending or Running uninstall: the capability stays installed. */
  async cancelUninstall(clusterId: string): Promise<void> {
    const id = this.taskId(clusterId);
    if (!(await this.uninstalls.status(id))) {
      throw new NotFoundError(`no uninstall of ${this.name} was ever started for cluster ${clusterId}`);
    }
    await this.uninstalls.cancel(id);
  }

  installerTemplate(): capability.InstallerTemplateResponse {
    return { template: this.options.driver.installerTemplate() };
  }

  /** True while an uninstall task is Pending or Running (a Failed or Canceled one may be retried). */
  private async uninstalling(clusterId: string): Promise<boolean> {
    const task = await this.uninstalls.status(this.taskId(clusterId));
    return task !== undefined && isActive(task.state);
  }

  private taskId(clusterId: string): string {
    return `${this.name}/uninstall/${clusterId}`;
  }

  /** True when the agent synced; otherwise why it could not be reached (it syncs when it reconnects). */
  private async syncNode(clusterId: string): Promise<true | string> {
    try {
      await this.options.nodes.syncNow(clusterId, [this.name]);
      return true;
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      this.options.logger?.warn(
        { event: 'node-sync-deferred', cluster: clusterId, capability: this.name, reason: error.message },
        `cluster ${clusterId} could not sync ${this.name} now: ${error.message}`,
      );
      return `${this.name} is installed, but the agent of cluster ${clusterId} could not be reached (${error.message}); it syncs when it reconnects`;
    }
  }
}

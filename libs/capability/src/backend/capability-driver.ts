import type { capability } from '@app/proto';
import type { RunningTask } from '../task/task-runner.js';
import type { UninstallOptions } from './uninstall-options.js';

/** What an uninstall task of a capability was started with. */
export interface UninstallInput extends UninstallOptions {
  clusterId: string;
}

/**
 * What one capability (e.g. alerting) adds to the generic lifecycle of
 * CapabilityBackend: how its nodes are told to start and stop, and what it
 * deletes. Every method must be idempotent: a gateway restart runs an
 * interrupted uninstall again from the start.
 */
export interface CapabilityDriver {
  /** capability.Backend/Info. */
  readonly details: capability.Details;
  /** The capability was added to the cluster (or already was): make the node's configuration enable it. */
  enable(clusterId: string): Promise<void>;
  /**
   * The uninstall task's work once its initial delay is over: stop the node,
   * and delete stored data when asked. CapabilityBackend removes the
   * capability from the cluster after it returns. Check `task.signal` between
   * steps: a cancel may arrive at any time.
   */
  uninstall(task: RunningTask<UninstallInput>): Promise<void>;
  /** A shell template that installs and starts an agent pointed at this gateway (capability.Backend/InstallerTemplate). */
  installerTemplate(): string;
}

import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConditionTracker } from '@app/capability';
import { ALERTING_CAPABILITY } from '@app/notification-model';
import { alerting, type capability } from '@app/proto';
import { backoffDelay, UnavailableError, type BackoffPolicy } from '@app/runtime';
import type { SessionPeer } from '@app/session';
import { GatewayConnection, type SessionUser } from '../uplink/session/gateway-connection.js';
import { PushGate } from '../uplink/push/push-gate.js';
import { NotificationQueue } from '../queue/notification-queue.js';
import { NodeConfigFile, type AppliedNodeConfig } from './node-config-file.js';

/** Injection token of the NodeConfigFile. */
export const NODE_CONFIG_FILE = Symbol('NodeConfigFile');
/** Injection token of the backoff between failed first syncs of a session. */
export const SYNC_RETRY_POLICY = Symbol('SyncRetryPolicy');

/** Condition keys this module sets. */
const BACKEND = 'Backend';
const CONFIG_SYNC = 'Config Sync';

/**
 * The agent side of the alerting capability: fetches the node configuration
 * from the gateway over the session (alerting.AlertingNodeConfiguration/Sync)
 * when a session starts and whenever capability.Node/SyncNow asks (over the
 * session or on the local port), applies it — opens or closes the push gate,
 * purges the queue once per purge request — and keeps it in the data
 * directory. Conditions: "Backend Disabled" while alerting is not enabled,
 * "Config Sync Pending" before the first sync, "Config Sync Failure" when the
 * last one failed.
 */
@Injectable()
export class NodeSync implements SessionUser, OnModuleInit {
  private readonly logger = new Logger(NodeSync.name);
  private applied: AppliedNodeConfig;
  private peer?: SessionPeer;
  /** The sync running now: a second request waits for it and then syncs again. */
  private running?: Promise<void>;

  constructor(
    @Inject(NODE_CONFIG_FILE) private readonly file: NodeConfigFile,
    private readonly connection: GatewayConnection,
    private readonly gate: PushGate,
    private readonly queue: NotificationQueue,
    private readonly conditions: ConditionTracker,
    @Inject(SYNC_RETRY_POLICY) private readonly retryPolicy: BackoffPolicy,
  ) {
    const { applied, problem } = file.load();
    if (problem) {
      this.logger.warn(
        { event: 'node-config-unreadable', reason: problem },
        `the saved alerting configuration is unreadable (${problem}); waiting for the gateway's`,
      );
    }
    this.applied = applied;
  }

  onModuleInit(): void {
    this.connection.use(this);
    this.conditions.set(CONFIG_SYNC, 'Pending');
    this.applyGate();
  }

  sessionStarted(peer: SessionPeer): void {
    this.peer = peer;
    this.gate.setConfirmed(false);
    peer.serve('capability.Node', { syncNow: async (filter) => this.syncNow(filter) });
    void this.syncUntilDone(peer);
  }

  sessionEnded(): void {
    this.peer = undefined;
    this.gate.setConfirmed(false);
  }

  /** The session's first sync, retried with backoff: nothing is pushed on this session before it succeeds. */
  private async syncUntilDone(peer: SessionPeer): Promise<void> {
    for (let failures = 0; this.peer === peer;) {
      try {
        await this.sync();
        return;
      } catch {
        // Logged and reflected in the conditions by syncOnce.
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(++failures, this.retryPolicy)));
      }
    }
  }

  /**
   * capability.Node/SyncNow: syncs when the filter names alerting (or is empty),
   * resolving once the configuration is fetched and applied; UnavailableError
   * when the gateway cannot be reached.
   */
  async syncNow(filter: capability.Filter): Promise<Record<string, never>> {
    const names = filter.capabilityNames ?? [];
    if (names.length > 0 && !names.includes(ALERTING_CAPABILITY)) return {};
    await this.sync();
    return {};
  }

  private sync(): Promise<void> {
    const after = this.running ?? Promise.resolve();
    const next = after.catch(() => undefined).then(() => this.syncOnce());
    this.running = next;
    void next
      .finally(() => {
        if (this.running === next) this.running = undefined;
      })
      .catch(() => undefined);
    return next;
  }

  private async syncOnce(): Promise<void> {
    const peer = this.peer;
    if (!peer) throw new UnavailableError('the agent is not connected to the gateway');
    try {
      const request = () => ({
        current: this.applied.config,
        conditions: this.conditions.conditions().filter((c) => !c.startsWith(`${CONFIG_SYNC} `)),
      });
      const response = await peer.call('alerting.AlertingNodeConfiguration', 'sync', request());
      if (response.configStatus === alerting.ConfigStatus.NeedsUpdate && response.updatedConfig) {
        await this.apply(response.updatedConfig);
        // Once more, so the gateway records the configuration and conditions the agent runs now.
        await peer.call('alerting.AlertingNodeConfiguration', 'sync', request());
      }
      this.conditions.clear(CONFIG_SYNC);
      if (this.peer === peer) this.gate.setConfirmed(true);
    } catch (error) {
      this.conditions.set(CONFIG_SYNC, 'Failure');
      this.logger.warn(
        { event: 'config-sync-failed', err: error },
        `could not sync the alerting configuration: ${(error as Error).message}`,
      );
      throw error instanceof UnavailableError ? error : new UnavailableError((error as Error).message);
    }
  }

  private async apply(config: alerting.AlertingNodeConfig): Promise<void> {
    const purgeRevision = config.spec?.purgeQueueRevision ?? 0n;
    let purgedRevision = this.applied.purgedRevision;
    // Stop pushing before purging, so nothing is taken from the queue while it is emptied.
    this.applied = { config, purgedRevision };
    this.applyGate();
    if (purgeRevision > purgedRevision) {
      const purged = await this.queue.purge();
      purgedRevision = purgeRevision;
      this.logger.warn(
        { event: 'queue-purged', count: purged, revision: String(purgeRevision) },
        `purged ${purged} queued notifications: the gateway asked (alerting uninstalled with deleteStoredData)`,
      );
    }
    this.applied = { config, purgedRevision };
    this.file.save(this.applied);
    this.logger.log(
      { event: 'config-applied', enabled: config.enabled, revision: String(config.revision) },
      `alerting configuration revision ${config.revision} applied: ${config.enabled ? 'enabled' : 'disabled'}`,
    );
  }

  private applyGate(): void {
    const enabled = this.applied.config.enabled;
    this.conditions.update(BACKEND, enabled ? undefined : 'Disabled');
    this.gate.setEnabled(enabled);
  }
}

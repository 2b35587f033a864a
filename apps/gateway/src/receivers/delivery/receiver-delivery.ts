import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { severityOf } from '@app/notification';
import type { alerting } from '@app/proto';
import type { Clock } from '@app/runtime';
import type { NotificationStore } from '../../notifications/notification-store.js';
import { backoffDelay } from '@app/runtime';
import type { DeliveryTargetConfig } from './delivery-target-config.js';
import type { DeliveryIntegration, FailedOutcome, RejectedNotification } from './delivery-integration.js';
import type { DeadLetter, ReceiverProgress, ReceiverProgressStore } from './receiver-progress-store.js';

/** What a target may declare beyond the common fields (Alertmanager targets do). */
export interface DeliveryExtras {
  /** Notifications older than this (received time) are expired, not sent; unset: never. */
  lifetimeMs?: number;
  /** Bound on notifications per second while catching up; 0 or unset: none. */
  maxAlertsPerSecond?: number;
  /** Read this many batches ahead and send them most important first; unset: 1 (store order). */
  readAheadBatches?: number;
}
export type DeliveryConfig = DeliveryTargetConfig & DeliveryExtras;

/**
 * `ok`: the last attempt succeeded (or none failed yet). `retrying`: recent
 * attempts failed in a way that usually passes (network, timeout, 408, 429,
 * 5xx). `failing`: FAILING_AFTER failures in a row, or the receiver rejects
 * what we send (other 3xx/4xx) — someone has to look.
 */
export type ReceiverState = 'ok' | 'retrying' | 'failing';
export const FAILING_AFTER = 5;

export interface ReceiverError {
  message: string;
  statusCode?: number;
  at: Date;
}

/** One receiver as it is now: for the API and the metrics. */
export interface ReceiverStatus<C extends DeliveryConfig = DeliveryConfig> {
  config: C;
  progress: Readonly<ReceiverProgress>;
  /** Stored notifications past the cursor (by seq), matching or not. */
  backlog: bigint;
  state: ReceiverState;
  consecutiveFailures: number;
  lastError?: ReceiverError;
  lastDeadLetter?: DeadLetter;
  /** Received time of the oldest notification read but not done with; undefined when caught up. */
  pendingSince?: Date;
  /** Since this process started, for the metrics' counters. */
  counts: DeliveryCounts;
}

export interface DeliveryCounts {
  /** Batches sent (2xx) and attempts that failed. */
  successes: number;
  failures: number;
  /** Failed attempts followed by a retry. */
  retries: number;
  /** Notifications. */
  delivered: number;
  deadLettered: number;
  expired: number;
}

export interface DeliveryDependencies {
  store: NotificationStore;
  progressStore: ReceiverProgressStore;
  integration: DeliveryIntegration;
  /** Under which name the progress is kept (default: the target's name). */
  progressKey?: string;
  clock: Clock;
  /** The newest seq in the store when delivery starts. */
  head: bigint;
  /** In [0, 1), for the backoff's jitter. */
  random?: () => number;
}

/**
 * Delivers one target's notifications: reads the store after the target's
 * durable cursor (readAheadBatches batches at a time, most important first
 * within them), sends the matching ones in batches through the integration,
 * and moves the cursor only once all of them are done. Failures are retried
 * with capped exponential backoff, forever unless maxAttempts dead-letters
 * rejected batches; notifications the target refuses one by one are
 * dead-lettered alone. Woken by the bus; polls every pollIntervalMs as a
 * safety net.
 */
export class ReceiverDelivery<C extends DeliveryConfig = DeliveryConfig> {
  private readonly logger: Logger;
  private readonly progressKey: string;
  private readonly minSeverity: alerting.OpniSeverity;
  private readonly clusters: Set<string>;
  private readonly cancel = new AbortController();
  private readonly random: () => number;
  private progress: ReceiverProgress;
  private head: bigint;
  private consecutiveFailures = 0;
  private lastFailure?: FailedOutcome;
  private pendingSince?: Date;
  private lastError?: ReceiverError;
  private lastDeadLetter?: DeadLetter;
  private readonly counts: DeliveryCounts = {
    successes: 0,
    failures: 0,
    retries: 0,
    delivered: 0,
    deadLettered: 0,
    expired: 0,
  };
  private wakePending = false;
  private wakeWaiter?: () => void;
  private stopping = false;
  private loop?: Promise<void>;

  constructor(
    readonly config: C,
    progress: ReceiverProgress,
    private readonly deps: DeliveryDependencies,
  ) {
    this.logger = new Logger(`${deps.integration.kind === 'webhook' ? 'Receiver' : 'Alertmanager'} ${config.name}`);
    this.progressKey = deps.progressKey ?? config.name;
    this.minSeverity = severityOf(config.minSeverity);
    this.clusters = new Set(config.clusters);
    this.random = deps.random ?? Math.random;
    this.progress = progress;
    this.head = deps.head > progress.cursor ? deps.head : progress.cursor;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Something was stored (`seq`, when known): read the store now rather than at the next poll. */
  wake(seq?: bigint): void {
    if (seq !== undefined && seq > this.head) this.head = seq;
    this.wakePending = true;
    this.wakeWaiter?.();
  }

  /** Stops after the current step; an in-flight POST is aborted (and will be sent again after a restart). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancel.abort();
    this.wakeWaiter?.();
    await this.loop;
    this.deps.integration.close?.();
  }

  status(): ReceiverStatus<C> {
    const backlog = this.head - this.progress.cursor;
    return {
      config: this.config,
      progress: this.progress,
      backlog: backlog > 0n ? backlog : 0n,
      state: this.state(),
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastDeadLetter: this.lastDeadLetter,
      pendingSince: this.pendingSince,
      counts: { ...this.counts },
    };
  }

  private state(): ReceiverState {
    if (this.consecutiveFailures === 0) return 'ok';
    if (this.lastFailure?.kind === 'rejected' || this.consecutiveFailures >= FAILING_AFTER) return 'failing';
    return 'retrying';
  }

  matches(stored: alerting.StoredNotification): boolean {
    return stored.severity >= this.minSeverity && (this.clusters.size === 0 || this.clusters.has(stored.clusterId));
  }

  private async run(): Promise<void> {
    const window = this.config.batchSize * (this.config.readAheadBatches ?? 1);
    while (!this.stopping) {
      try {
        // Whatever is stored from here on is either in this read or wakes us again.
        this.wakePending = false;
        const read = await this.deps.store.readAfter(this.progress.cursor, window);
        if (read.length === 0) {
          this.pendingSince = undefined;
          await this.idle();
          continue;
        }
        const lastSeq = read[read.length - 1].seq;
        if (lastSeq > this.head) this.head = lastSeq;
        const matching = read.filter((stored) => this.matches(stored));
        this.pendingSince = matching[0]?.receivedAt;
        const done = await this.deliverWindow(matching);
        if (done === undefined) continue; // stopping
        await this.saveProgress({
          ...this.progress,
          cursor: lastSeq,
          delivered: this.progress.delivered + done.delivered,
          ...(done.delivered > 0 ? { lastSuccessAt: new Date(this.deps.clock.now()) } : {}),
        });
        this.counts.delivered += done.delivered;
      } catch (error) {
        if (this.stopping) break;
        // The store or the progress file failed: try again at the poll's pace; nothing moved past what was saved.
        this.logger.error(
          { event: 'receiver-loop-failed', receiver: this.config.name, err: error },
          `${this.config.name}: reading or saving progress failed; retrying in ${this.config.pollIntervalMs} ms`,
        );
        await this.pause(this.config.pollIntervalMs);
      }
    }
  }

  /** Most important first, then oldest first (the agent's drain order). */
  private static byImportance(a: alerting.StoredNotification, b: alerting.StoredNotification): number {
    return b.severity - a.severity || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);
  }

  /** Sends a window's matching notifications in batches; undefined when stopped before the end. */
  private async deliverWindow(matching: alerting.StoredNotification[]): Promise<{ delivered: number } | undefined> {
    const ordered =
      (this.config.readAheadBatches ?? 1) > 1 ? [...matching].sort(ReceiverDelivery.byImportance) : matching;
    let delivered = 0;
    for (let offset = 0; offset < ordered.length; offset += this.config.batchSize) {
      const started = this.deps.clock.now();
      const chunk = this.unexpired(ordered.slice(offset, offset + this.config.batchSize));
      if (chunk.length === 0) continue;
      const sent = await this.deliver(chunk);
      if (sent === undefined) return undefined;
      delivered += sent;
      const rate = this.config.maxAlertsPerSecond ?? 0;
      if (rate > 0) {
        // Catching up must not flood the target: at most `rate` notifications a second.
        const wait = (chunk.length * 1000) / rate - (this.deps.clock.now() - started);
        if (wait > 0) await this.pause(wait);
        if (this.stopping) return undefined;
      }
    }
    return { delivered };
  }

  /** Drops (and counts) what is past its lifetime now: it would arrive resolved already. */
  private unexpired(chunk: alerting.StoredNotification[]): alerting.StoredNotification[] {
    const lifetime = this.config.lifetimeMs;
    if (lifetime === undefined) return chunk;
    const now = this.deps.clock.now();
    const alive = chunk.filter((stored) => (stored.receivedAt?.getTime() ?? 0) + lifetime > now);
    const expired = chunk.length - alive.length;
    if (expired > 0) {
      this.counts.expired += expired;
      this.logger.warn(
        { event: 'receiver-expired', receiver: this.config.name, notifications: expired },
        `${this.config.name}: ${expired} notifications outlived their ${lifetime} ms lifetime before they could be delivered; not sent`,
      );
    }
    return alive;
  }

  /**
   * Sends `batch` until it is done: returns how many were accepted (the
   * rest dead-lettered), or undefined on stop.
   */
  private async deliver(batch: alerting.StoredNotification[]): Promise<number | undefined> {
    let rejections = 0;
    while (!this.stopping) {
      let outcome;
      try {
        outcome = await this.deps.integration.send(batch, this.cancel.signal);
      } catch (error) {
        if (this.stopping) return undefined;
        throw error;
      }
      if (outcome.ok) {
        this.succeeded();
        for (const rejected of outcome.rejected) await this.deadLetterOne(rejected);
        return batch.length - outcome.rejected.length;
      }
      this.failed(outcome, batch.length);
      if (outcome.kind === 'rejected') rejections++;
      if (outcome.kind === 'rejected' && this.config.maxAttempts > 0 && rejections >= this.config.maxAttempts) {
        await this.deadLetter(batch, outcome);
        return 0;
      }
      this.counts.retries++;
      const backoff = backoffDelay(
        this.consecutiveFailures,
        { initialMs: this.config.backoffInitialMs, maxMs: this.config.backoffMaxMs },
        this.random,
      );
      await this.pause(Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), this.config.backoffMaxMs));
      // Retrying for long enough lets notifications expire: those are not sent.
      batch = this.unexpired(batch);
      if (batch.length === 0) return 0;
    }
    return undefined;
  }

  private succeeded(): void {
    this.counts.successes++;
    const failuresBefore = this.consecutiveFailures;
    this.consecutiveFailures = 0;
    this.lastFailure = undefined;
    if (failuresBefore > 0) {
      this.logger.log(
        { event: 'receiver-recovered', receiver: this.config.name, failures: failuresBefore },
        `${this.config.name} accepts deliveries again after ${failuresBefore} failed attempts`,
      );
    }
  }

  private failed(outcome: FailedOutcome, count: number): void {
    this.counts.failures++;
    this.consecutiveFailures++;
    this.lastFailure = outcome;
    this.lastError = { message: outcome.message, statusCode: outcome.status, at: new Date(this.deps.clock.now()) };
    const fields = {
      event: outcome.kind === 'rejected' ? 'receiver-rejected' : 'receiver-delivery-failed',
      receiver: this.config.name,
      status: outcome.status,
      error: outcome.message,
      notifications: count,
      consecutiveFailures: this.consecutiveFailures,
    };
    if (outcome.kind === 'rejected') {
      // Retrying will not fix this by itself: the URL, credentials or the receiver's expectations are wrong.
      this.logger.error(
        fields,
        `receiver ${this.config.name} rejected a delivery (${outcome.message}): check its configuration; retrying`,
      );
    } else {
      this.logger.warn(fields, `receiver ${this.config.name}: delivery failed (${outcome.message}); retrying`);
    }
  }

  private async deadLetter(batch: alerting.StoredNotification[], outcome: FailedOutcome): Promise<void> {
    await this.record(batch, outcome.status, outcome.message);
    this.logger.error(
      {
        event: 'receiver-dead-lettered',
        receiver: this.config.name,
        notifications: batch.length,
        error: outcome.message,
      },
      `${this.config.name}: gave up on ${batch.length} notifications after ${this.config.maxAttempts} rejections (${outcome.message}); recorded as dead letters`,
    );
  }

  /** One notification the target refused on its own: recorded with the target's answer, the rest of its batch went on. */
  private async deadLetterOne({ stored, status, message }: RejectedNotification): Promise<void> {
    await this.record([stored], status, message);
    this.logger.error(
      {
        event: 'receiver-dead-lettered',
        receiver: this.config.name,
        clusterId: stored.clusterId,
        id: stored.id,
        status,
        error: message,
      },
      `${this.config.name} refused notification ${stored.clusterId}/${stored.id} (${message}); recorded as a dead letter`,
    );
  }

  private async record(notifications: alerting.StoredNotification[], status: number | undefined, error: string) {
    const seqs = notifications.map((stored) => stored.seq);
    const letter: DeadLetter = {
      fromSeq: seqs.reduce((a, b) => (b < a ? b : a)),
      toSeq: seqs.reduce((a, b) => (b > a ? b : a)),
      notifications: notifications.map(({ clusterId, id }) => ({ clusterId, id })),
      status,
      error,
      at: new Date(this.deps.clock.now()),
    };
    // The cursor moves at the end of the window; a restart before then may record this letter again.
    const progress = { ...this.progress, deadLettered: this.progress.deadLettered + notifications.length };
    await this.deps.progressStore.deadLetter(this.progressKey, letter, progress);
    this.progress = progress;
    this.lastDeadLetter = letter;
    this.counts.deadLettered += notifications.length;
  }

  private async saveProgress(progress: ReceiverProgress): Promise<void> {
    await this.deps.progressStore.save(this.progressKey, progress);
    this.progress = progress;
  }

  /** Until woken, stopped, or the poll interval passes. */
  private idle(): Promise<void> {
    if (this.wakePending || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeWaiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.config.pollIntervalMs);
      this.wakeWaiter = done;
    });
  }

  /** Until `ms` pass or stop; a wake does not cut a backoff short. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.cancel.signal }).catch(() => undefined);
  }
}

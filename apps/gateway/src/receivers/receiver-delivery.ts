import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { severityOf } from '@app/notification';
import type { alerting } from '@app/proto';
import type { Clock } from '@app/runtime';
import type { NotificationStore } from '../notifications/notification-store.js';
import { webhookMessage } from './alertmanager-payload.js';
import { backoffDelay } from '@app/runtime';
import type { ReceiverConfig } from './receiver-config.js';
import type { DeadLetter, ReceiverProgress, ReceiverProgressStore } from './receiver-progress-store.js';
import { webhookTarget, type WebhookClient, type WebhookOutcome, type WebhookTarget } from './webhook-client.js';

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
export interface ReceiverStatus {
  config: ReceiverConfig;
  progress: Readonly<ReceiverProgress>;
  /** Stored notifications past the cursor (by seq), matching or not. */
  backlog: bigint;
  state: ReceiverState;
  consecutiveFailures: number;
  lastError?: ReceiverError;
  lastDeadLetter?: DeadLetter;
  /** Since this process started, for the metrics' counters. */
  counts: { successes: number; failures: number; delivered: number; deadLettered: number };
}

export interface DeliveryDependencies {
  store: NotificationStore;
  progressStore: ReceiverProgressStore;
  client: WebhookClient;
  clock: Clock;
  /** The gateway's external URL for the payload ('' when not configured). */
  externalURL: string;
  /** The newest seq in the store when delivery starts. */
  head: bigint;
  /** In [0, 1), for the backoff's jitter. */
  random?: () => number;
}

/**
 * Delivers one receiver's notifications: reads the store after the receiver's
 * durable cursor, oldest first, POSTs the matching ones in batches and moves
 * the cursor only after a 2xx. Failures are retried with capped exponential
 * backoff, forever unless maxAttempts dead-letters rejected batches. Woken by
 * the bus; polls every pollIntervalMs as a safety net.
 */
export class ReceiverDelivery {
  private readonly logger: Logger;
  private readonly target: WebhookTarget;
  private readonly minSeverity: alerting.OpniSeverity;
  private readonly clusters: Set<string>;
  private readonly cancel = new AbortController();
  private readonly random: () => number;
  private progress: ReceiverProgress;
  private head: bigint;
  private consecutiveFailures = 0;
  private lastFailure?: WebhookOutcome & { ok: false };
  private lastError?: ReceiverError;
  private lastDeadLetter?: DeadLetter;
  private readonly counts = { successes: 0, failures: 0, delivered: 0, deadLettered: 0 };
  private wakePending = false;
  private wakeWaiter?: () => void;
  private stopping = false;
  private loop?: Promise<void>;

  constructor(
    readonly config: ReceiverConfig,
    progress: ReceiverProgress,
    private readonly deps: DeliveryDependencies,
  ) {
    this.logger = new Logger(`Receiver ${config.name}`);
    this.target = webhookTarget(config.url, config.headers, config.timeoutMs);
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
  }

  status(): ReceiverStatus {
    const backlog = this.head - this.progress.cursor;
    return {
      config: this.config,
      progress: this.progress,
      backlog: backlog > 0n ? backlog : 0n,
      state: this.state(),
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastDeadLetter: this.lastDeadLetter,
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
    while (!this.stopping) {
      try {
        // Whatever is stored from here on is either in this read or wakes us again.
        this.wakePending = false;
        const batch = await this.deps.store.readAfter(this.progress.cursor, this.config.batchSize);
        if (batch.length === 0) {
          await this.idle();
          continue;
        }
        const lastSeq = batch[batch.length - 1].seq;
        if (lastSeq > this.head) this.head = lastSeq;
        const matching = batch.filter((stored) => this.matches(stored));
        if (matching.length === 0) await this.saveProgress({ ...this.progress, cursor: lastSeq });
        else await this.deliver(matching, batch[0].seq, lastSeq);
      } catch (error) {
        if (this.stopping) break;
        // The store or the progress file failed: try again at the poll's pace; nothing moved past what was saved.
        this.logger.error(
          { event: 'receiver-loop-failed', receiver: this.config.name, err: error },
          `receiver ${this.config.name}: reading or saving progress failed; retrying in ${this.config.pollIntervalMs} ms`,
        );
        await this.pause(this.config.pollIntervalMs);
      }
    }
  }

  /** POSTs `matching` until a 2xx (cursor → lastSeq), a dead letter, or stop. */
  private async deliver(matching: alerting.StoredNotification[], fromSeq: bigint, lastSeq: bigint): Promise<void> {
    const body = JSON.stringify(webhookMessage(this.config.name, matching, this.deps.externalURL));
    let rejections = 0;
    while (!this.stopping) {
      let outcome: WebhookOutcome;
      try {
        outcome = await this.deps.client.post(this.target, body, this.cancel.signal);
      } catch (error) {
        if (this.stopping) return;
        throw error;
      }
      if (outcome.ok) {
        await this.succeeded(matching.length, lastSeq);
        return;
      }
      this.failed(outcome, matching.length);
      if (outcome.kind === 'rejected') rejections++;
      if (outcome.kind === 'rejected' && this.config.maxAttempts > 0 && rejections >= this.config.maxAttempts) {
        await this.deadLetter(matching, fromSeq, lastSeq, outcome);
        return;
      }
      const backoff = backoffDelay(
        this.consecutiveFailures,
        { initialMs: this.config.backoffInitialMs, maxMs: this.config.backoffMaxMs },
        this.random,
      );
      await this.pause(Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), this.config.backoffMaxMs));
    }
  }

  private async succeeded(count: number, lastSeq: bigint): Promise<void> {
    this.counts.successes++;
    const failuresBefore = this.consecutiveFailures;
    this.consecutiveFailures = 0;
    this.lastFailure = undefined;
    await this.saveProgress({
      ...this.progress,
      cursor: lastSeq,
      delivered: this.progress.delivered + count,
      lastSuccessAt: new Date(this.deps.clock.now()),
    });
    this.counts.delivered += count;
    if (failuresBefore > 0) {
      this.logger.log(
        { event: 'receiver-recovered', receiver: this.config.name, failures: failuresBefore },
        `receiver ${this.config.name} accepts deliveries again after ${failuresBefore} failed attempts`,
      );
    }
  }

  private failed(outcome: WebhookOutcome & { ok: false }, count: number): void {
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

  private async deadLetter(
    matching: alerting.StoredNotification[],
    fromSeq: bigint,
    lastSeq: bigint,
    outcome: WebhookOutcome & { ok: false },
  ): Promise<void> {
    const letter: DeadLetter = {
      fromSeq,
      toSeq: lastSeq,
      notifications: matching.map(({ clusterId, id }) => ({ clusterId, id })),
      status: outcome.status,
      error: outcome.message,
      at: new Date(this.deps.clock.now()),
    };
    const progress = { ...this.progress, cursor: lastSeq, deadLettered: this.progress.deadLettered + matching.length };
    await this.deps.progressStore.deadLetter(this.config.name, letter, progress);
    this.progress = progress;
    this.lastDeadLetter = letter;
    this.counts.deadLettered += matching.length;
    this.logger.error(
      {
        event: 'receiver-dead-lettered',
        receiver: this.config.name,
        ...letter,
        fromSeq: String(fromSeq),
        toSeq: String(lastSeq),
      },
      `receiver ${this.config.name}: gave up on ${matching.length} notifications after ${this.config.maxAttempts} rejections (${outcome.message}); recorded as dead letters`,
    );
  }

  private async saveProgress(progress: ReceiverProgress): Promise<void> {
    await this.deps.progressStore.save(this.config.name, progress);
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

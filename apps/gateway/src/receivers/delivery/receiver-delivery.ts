import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { severityOf } from '@app/notification-model';
import type { alerting } from '@app/proto';
import { backoffDelay, type Clock } from '@app/runtime';
import type { NotificationStore } from '../../notifications/store/notification-store.js';
import type { DeliveryLease, LeaseTerm } from './delivery-lease.js';
import type { DeliveryConfig } from './delivery-config.js';
import type { DeliveryIntegration, PreparedBatch } from './delivery-integration.js';
import { batchesOf, takeDoneWindows, type Window } from './delivery-windows.js';
import { DeliveryOutcomes, type DeliveryCounts, type ReceiverError, type ReceiverState } from './delivery-outcomes.js';
import { FailedDeliveries } from './failed-deliveries.js';
import { ProgressKeeper } from './progress-keeper.js';
import type { FailedDelivery, ReceiverProgress, ReceiverProgressStore } from './receiver-progress-store.js';

export { FAILING_AFTER, type DeliveryCounts, type ReceiverError, type ReceiverState } from './delivery-outcomes.js';

export type { DeliveryConfig, DeliveryExtras } from './delivery-config.js';

/** One receiver as it is now: for the API and the metrics. */
export interface ReceiverStatus<C extends DeliveryConfig = DeliveryConfig> {
  config: C;
  progress: Readonly<ReceiverProgress>;
  /** Stored notifications past the cursor (by seq), matching or not. */
  backlog: bigint;
  state: ReceiverState;
  consecutiveFailures: number;
  lastError?: ReceiverError;
  lastFailedDelivery?: FailedDelivery;
  /** Received time of the oldest notification read but not done with; undefined when caught up. */
  pendingSince?: Date;
  /** Since this process started, for the metrics' counters. */
  counts: DeliveryCounts;
  /** Whether this replica delivers the target (holds its lease); always, without replicas. */
  leaseHeld: boolean;
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
  /**
   * Replicas: deliver only while holding this lease, resuming from the saved
   * progress on each acquisition. Unset: deliver from start to stop.
   */
  lease?: DeliveryLease;
}

/** Without a lease: one term, from start to stop. */
const UNLEASED: LeaseTerm = { epoch: 0n, signal: new AbortController().signal };

/**
 * Delivers one target's notifications: reads the store after the target's
 * cursor (readAheadBatches batches at a time, most important first within
 * them), sends the matching ones in batches through the integration, up to
 * maxInFlight at once — the next batch is read and encoded while earlier ones
 * are on the wire — and moves the cursor past a window only once all its
 * batches, and all before it, are done: at least once, whatever order the
 * answers come in. Failures are retried with capped exponential backoff,
 * forever unless maxAttempts gives up on rejected batches; notifications the
 * target refuses one by one are given up on alone (both are recorded as
 * failed deliveries: FailedDeliveries). Woken by the bus; polls every
 * pollIntervalMs as a safety net. With replicas, only the holder of the
 * target's lease delivers (DeliveryLease); losing it stops delivery as stop()
 * does, and the saves are fenced by its epoch.
 */
export class ReceiverDelivery<C extends DeliveryConfig = DeliveryConfig> {
  private readonly logger: Logger;
  private readonly outcomes: DeliveryOutcomes;
  private readonly progressKey: string;
  private readonly minSeverity: alerting.OpniSeverity;
  private readonly clusters: Set<string>;
  private readonly cancel = new AbortController();
  private readonly random: () => number;
  private readonly progress: ProgressKeeper;
  private head: bigint;
  private pendingSince?: Date;
  private readonly failedDeliveries: FailedDeliveries;
  /** Under maxAlertsPerSecond, when the next batch may go. */
  private nextSendAt = 0;
  private wakePending = false;
  private wakeWaiter?: () => void;
  private stopped = false;
  private term = UNLEASED;
  /** Aborted on stop or when the lease is lost: in-flight POSTs and pauses end. */
  private signal = this.cancel.signal;
  private loop?: Promise<void>;

  constructor(
    readonly config: C,
    progress: ReceiverProgress,
    private readonly deps: DeliveryDependencies,
  ) {
    this.logger = new Logger(`${deps.integration.kind === 'webhook' ? 'Receiver' : 'Alertmanager'} ${config.name}`);
    this.outcomes = new DeliveryOutcomes(config.name, this.logger, () => deps.clock.now());
    this.progressKey = deps.progressKey ?? config.name;
    this.minSeverity = severityOf(config.minSeverity);
    this.clusters = new Set(config.clusters);
    this.random = deps.random ?? Math.random;
    this.progress = new ProgressKeeper(progress, {
      key: this.progressKey,
      name: config.name,
      store: deps.progressStore,
      intervalMs: config.progressIntervalMs ?? 0,
      clock: deps.clock,
      logger: this.logger,
      onFenced: () => deps.lease?.lose('a save was refused: another replica took over'),
    });
    this.failedDeliveries = new FailedDeliveries({
      name: config.name,
      maxAttempts: config.maxAttempts,
      progress: this.progress,
      outcomes: this.outcomes,
      logger: this.logger,
      clock: deps.clock,
    });
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

  /** Stops after the current step; in-flight POSTs are aborted (and will be sent again after a restart). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel.abort();
    this.wakeWaiter?.();
    await this.loop;
    this.deps.integration.close?.();
  }

  status(): ReceiverStatus<C> {
    const progress = this.progress.current;
    const backlog = this.head - progress.cursor;
    return {
      config: this.config,
      progress,
      backlog: backlog > 0n ? backlog : 0n,
      state: this.outcomes.state(),
      consecutiveFailures: this.outcomes.consecutiveFailures,
      lastError: this.outcomes.lastError,
      lastFailedDelivery: this.failedDeliveries.last,
      pendingSince: this.pendingSince,
      counts: { ...this.outcomes.counts },
      leaseHeld: this.deps.lease?.held ?? true,
    };
  }

  matches(stored: alerting.StoredNotification): boolean {
    return stored.severity >= this.minSeverity && (this.clusters.size === 0 || this.clusters.has(stored.clusterId));
  }

  /** Stopped, or the lease was lost: no new POST, those in flight are aborted. */
  private get stopping(): boolean {
    return this.stopped || this.term.signal.aborted;
  }

  private async run(): Promise<void> {
    for (let term = await this.holdLease(); term; term = await this.holdLease()) {
      await this.deliverDuring(term);
    }
    await this.deps.lease?.release();
  }

  /** The next term to deliver in: at once without a lease, else once this replica holds it; undefined once stopped. */
  private async holdLease(): Promise<LeaseTerm | undefined> {
    const lease = this.deps.lease;
    if (this.stopped) return undefined;
    if (!lease) return UNLEASED;
    // While another replica delivers, what it saved is our status (backlog, counters) too.
    return lease.acquire(this.cancel.signal, async () => this.progress.resume(await this.loadProgress()));
  }

  private async deliverDuring(term: LeaseTerm): Promise<void> {
    this.term = term;
    this.signal = AbortSignal.any([this.cancel.signal, term.signal]);
    this.signal.addEventListener('abort', () => this.wakeWaiter?.());
    let resumed = term === UNLEASED; // without a lease the progress given is the current one
    while (!this.stopping) {
      try {
        if (!resumed) {
          // The previous holder (maybe this replica) saved how far it got: on from there.
          this.progress.resume(await this.loadProgress(), term.epoch);
          resumed = true;
        }
        await this.pump();
      } catch (error) {
        if (this.stopping) break;
        // The store failed, or a failed delivery could not be recorded: start again from the cursor at the poll's pace.
        this.logger.error(
          { event: 'receiver-loop-failed', receiver: this.config.name, err: error },
          `${this.config.name}: reading the store or recording progress failed; retrying in ${this.config.pollIntervalMs} ms`,
        );
        await this.pause(this.config.pollIntervalMs);
      }
    }
    // What was done before the stop is kept (refused with the lease taken over: the new holder's cursor stands).
    await this.progress.save();
    this.pendingSince = undefined; // what is pending is the next holder's
  }

  private async loadProgress(): Promise<ReceiverProgress | undefined> {
    const stored = await this.deps.progressStore.load(this.progressKey);
    if (stored && stored.cursor > this.head) this.head = stored.cursor;
    return stored;
  }

  /**
   * Reads windows after the cursor and sends their batches until stopped.
   * Throws when the store fails or a failed delivery cannot be recorded, once the
   * batches in flight have settled: windows not wholly done are read again.
   */
  private async pump(): Promise<void> {
    const windowSize = this.config.batchSize * (this.config.readAheadBatches ?? 1);
    const windows: Window[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    let readCursor = this.progress.current.cursor;
    try {
      while (!this.stopping && !failure) {
        // Whatever is stored from here on is either in this read or wakes us again.
        this.wakePending = false;
        const read = await this.deps.store.readAfter(readCursor, windowSize);
        if (read.length === 0) {
          if (inFlight.size === 0) {
            this.pendingSince = undefined;
            await this.progress.save();
          }
          await this.idle(); // a batch finishing wakes it too
          continue;
        }
        readCursor = read[read.length - 1].seq;
        if (readCursor > this.head) this.head = readCursor;
        const matching = read.filter((stored) => this.matches(stored));
        const window: Window = {
          lastSeq: readCursor,
          oldest: matching[0]?.receivedAt,
          outstanding: 0,
          issued: false,
          delivered: 0,
        };
        windows.push(window);
        this.pendingSince ??= window.oldest;
        let complete = true;
        for (const chunk of batchesOf(matching, this.config.batchSize, this.config.readAheadBatches ?? 1)) {
          const alive = this.unexpired(chunk);
          if (alive.length === 0) continue;
          // Encoded while the batches before it are on the wire.
          const prepared = this.deps.integration.prepare(alive);
          while (inFlight.size >= this.inFlightLimit()) await Promise.race(inFlight);
          if (this.stopping || failure) {
            complete = false;
            break;
          }
          await this.paced(alive.length);
          if (this.stopping) {
            complete = false;
            break;
          }
          window.outstanding++;
          const task: Promise<void> = this.deliver(prepared)
            .then(
              (delivered) => {
                if (delivered === undefined) return; // stopped: the window stays undone
                window.delivered += delivered;
                window.outstanding--;
                this.settle(windows);
              },
              (error: unknown) => {
                failure ??= { error };
              },
            )
            .finally(() => {
              inFlight.delete(task);
              this.wakeWaiter?.();
            });
          inFlight.add(task);
          // Let the request go out (Node writes it on a later tick) before encoding the next batch or reading on.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        // A window cut short (stop, failure) is never done: the cursor stays before it.
        if (!complete) break;
        window.issued = true;
        this.settle(windows);
      }
    } finally {
      await Promise.all(inFlight);
    }
    if (failure) throw failure.error;
  }

  private inFlightLimit(): number {
    // A failing target gets one batch at a time (retried with backoff), not a volley.
    return this.outcomes.consecutiveFailures > 0 ? 1 : (this.config.maxInFlight ?? 1);
  }

  /** Moves the cursor past the windows that are done, oldest first, and has it saved. */
  private settle(windows: Window[]): void {
    const { cursor, delivered } = takeDoneWindows(windows);
    this.pendingSince = windows.find((window) => window.oldest !== undefined)?.oldest;
    if (cursor === undefined) return;
    this.progress.advance(cursor, delivered);
    this.outcomes.counts.delivered += delivered;
  }

  /** Catching up must not flood the target: at most maxAlertsPerSecond notifications a second. */
  private async paced(count: number): Promise<void> {
    const rate = this.config.maxAlertsPerSecond ?? 0;
    if (rate <= 0) return;
    const wait = this.nextSendAt - this.deps.clock.now();
    if (wait > 0) await this.pause(wait);
    this.nextSendAt = Math.max(this.deps.clock.now(), this.nextSendAt) + (count * 1000) / rate;
  }

  /** Drops (and counts) what is past its lifetime now: it would arrive resolved already. */
  private unexpired(chunk: alerting.StoredNotification[]): alerting.StoredNotification[] {
    const lifetime = this.config.lifetimeMs;
    if (lifetime === undefined) return chunk;
    const now = this.deps.clock.now();
    const alive = chunk.filter((stored) => (stored.receivedAt?.getTime() ?? 0) + lifetime > now);
    if (alive.length < chunk.length) this.outcomes.expired(chunk.length - alive.length, lifetime);
    return alive;
  }

  /**
   * Sends a batch until it is done: returns how many were accepted (the
   * rest given up on or expired), or undefined on stop.
   */
  private async deliver(prepared: PreparedBatch): Promise<number | undefined> {
    let rejections = 0;
    while (!this.stopping) {
      let outcome;
      try {
        outcome = await this.deps.integration.send(prepared, this.signal);
      } catch (error) {
        if (this.stopping) return undefined;
        throw error;
      }
      const { batch } = prepared;
      if (outcome.ok) {
        this.outcomes.succeeded();
        for (const rejected of outcome.rejected) await this.failedDeliveries.giveUpOnNotification(rejected);
        return batch.length - outcome.rejected.length;
      }
      this.outcomes.failed(outcome, batch.length);
      if (outcome.kind === 'rejected') rejections++;
      if (outcome.kind === 'rejected' && this.config.maxAttempts > 0 && rejections >= this.config.maxAttempts) {
        await this.failedDeliveries.giveUpOnBatch(batch, outcome);
        return 0;
      }
      this.outcomes.counts.retries++;
      const backoff = backoffDelay(
        this.outcomes.consecutiveFailures,
        { initialMs: this.config.backoffInitialMs, maxMs: this.config.backoffMaxMs },
        this.random,
      );
      await this.pause(Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), this.config.backoffMaxMs));
      // Retrying for long enough lets notifications expire: those are not sent.
      const alive = this.unexpired([...batch]);
      if (alive.length === 0) return 0;
      if (alive.length < batch.length) prepared = this.deps.integration.prepare(alive);
    }
    return undefined;
  }

  /** Until woken, stopped, a batch in flight finishes, or the poll interval passes. */
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
    await sleep(ms, undefined, { signal: this.signal }).catch(() => undefined);
  }
}

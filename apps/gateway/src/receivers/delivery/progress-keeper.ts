import type { Logger } from '@nestjs/common';
import type { Clock } from '@app/runtime';
import { LeaseLostError } from './delivery-leases.js';
import type { FailedDelivery, ReceiverProgress, ReceiverProgressStore } from './receiver-progress-store.js';

/**
 * One target's progress: in memory, past every window that is done, and
 * saved a little later — off the path of the next POST, and at most every
 * `intervalMs` while batches keep completing (0: after each advance). A crash
 * sends again what completed since the last save: at least once.
 */
export class ProgressKeeper {
  private unsaved = false;
  private lastSavedAt = 0;
  private timer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  /** The delivery lease's epoch our saves carry; undefined: unfenced (no lease). */
  private leaseEpoch?: bigint;

  constructor(
    private progress: ReceiverProgress,
    private readonly deps: {
      key: string;
      name: string;
      store: ReceiverProgressStore;
      intervalMs: number;
      clock: Clock;
      logger: Logger;
      /** A save was refused (LeaseLostError): the lease is another replica's. */
      onFenced?: () => void;
    },
  ) {}

  get current(): Readonly<ReceiverProgress> {
    return this.progress;
  }

  /**
   * Takes `stored` as the progress (what the previous holder of the lease
   * saved), dropping what was not saved; saves from now on carry `leaseEpoch`.
   */
  resume(stored: ReceiverProgress | undefined, leaseEpoch?: bigint): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (stored) this.progress = stored;
    this.unsaved = false;
    this.leaseEpoch = leaseEpoch;
  }

  /** Done with everything up to `cursor`, `delivered` of it accepted by the target. */
  advance(cursor: bigint, delivered: number): void {
    this.progress = {
      ...this.progress,
      cursor,
      delivered: this.progress.delivered + delivered,
      ...(delivered > 0 ? { lastSuccessAt: new Date(this.deps.clock.now()) } : {}),
    };
    this.unsaved = true;
    if (this.timer === undefined) {
      const delay = Math.max(0, this.lastSavedAt + this.deps.intervalMs - this.deps.clock.now());
      // Never inline: the next POST goes out first, and the save (an fsync) overlaps its round trip.
      this.timer = setTimeout(() => void this.save(), delay);
    }
  }

  /** Saves the progress if it moved since the last save; a failure is logged and retried at the next save. */
  save(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.saving = this.saving.then(async () => {
      if (!this.unsaved) return;
      const progress = this.progress;
      this.unsaved = false;
      try {
        await this.deps.store.save(this.deps.key, progress, this.leaseEpoch);
        this.lastSavedAt = this.deps.clock.now();
      } catch (error) {
        this.unsaved = true;
        if (error instanceof LeaseLostError) return this.fenced(error);
        this.deps.logger.error(
          { event: 'receiver-progress-save-failed', receiver: this.deps.name, err: error },
          `${this.deps.name}: saving the cursor failed; delivery goes on and the next save tries again`,
        );
      }
    });
    return this.saving;
  }

  /** Records a failed delivery of `count` notifications together with the progress, atomically and durably. */
  async recordFailedDelivery(failure: FailedDelivery, count: number): Promise<void> {
    // The cursor moves once the window is done; a restart before then may record this failure again.
    await this.deps.store
      .recordFailedDelivery(
        this.deps.key,
        failure,
        { ...this.progress, undeliverable: this.progress.undeliverable + count },
        this.leaseEpoch,
      )
      .catch((error: unknown) => {
        if (error instanceof LeaseLostError) this.deps.onFenced?.();
        throw error;
      });
    this.progress = { ...this.progress, undeliverable: this.progress.undeliverable + count };
  }

  /** Another replica took the target over: its cursor stands, and what we did since our last save it sends again. */
  private fenced(error: LeaseLostError): void {
    this.deps.onFenced?.();
    this.deps.logger.warn(
      { event: 'receiver-progress-fenced', receiver: this.deps.name, err: error },
      `${this.deps.name}: the cursor was not saved: another replica delivers now and resumes from the last saved one`,
    );
  }
}

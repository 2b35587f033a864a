import type { LoggerService } from '@nestjs/common';
import { UnavailableError } from '@app/runtime';
import type { QueueStore, QueueWrite } from '../queue-store.js';

/** Since start: how changes reached the store (group commit) and how long they took to become durable. */
export interface CommitStats {
  /** Transactions committed: one per event-loop turn that changed the queue. */
  transactions: number;
  /** Changes (inserts, merges, deletes, …) in those transactions. */
  writes: number;
  /** Time from handing each transaction to the store until it was durable, summed, in seconds. */
  seconds: number;
  /** Syncs to stable storage (fdatasyncs of the WAL); with `fsync` durability several transactions share one. */
  syncs: number;
}

/** Writes that commit together, and what to do to the index when they have (or have not). */
export class Batch {
  readonly writes: QueueWrite[] = [];
  readonly onCommit: (() => void)[] = [];
  readonly onFailure: (() => void)[] = [];
  /** Inserts of this batch per severity, not counting those evicted before the commit. */
  readonly inserts = [0, 0, 0, 0];
  private settle!: { resolve: () => void; reject: (error: Error) => void };
  readonly done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));

  constructor() {
    this.done.catch(() => undefined); // callers observe failures through their own awaits
  }

  committed(): void {
    this.onCommit.forEach((apply) => apply());
    this.settle.resolve();
  }

  failed(error: Error): void {
    this.onFailure.forEach((undo) => undo());
    this.settle.reject(error);
  }
}

/**
 * Group commit: every change of one event-loop turn joins one batch, handed
 * to the store as one transaction at the end of the turn. A batch is written
 * without waiting for earlier ones to become durable (the store writes in call
 * order; its fsyncs overlap the next batches), and batches settle in order,
 * each once it is durable: its onCommit (or, when the store failed, its
 * onFailure) callbacks run, then `settled` (something may be takeable now).
 */
export class GroupCommit {
  /** The batch of the current event-loop turn, until it is handed to the store. */
  batch: Batch | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly committed = { transactions: 0, writes: 0, seconds: 0 };

  constructor(
    private readonly store: QueueStore,
    private readonly logger: LoggerService,
    private readonly settled: () => void,
  ) {}

  /** The batch of this event-loop turn, started (and scheduled for the end of the turn) by the first change. */
  current(): Batch {
    if (!this.batch) {
      const batch = (this.batch = new Batch());
      // Everything queued in this event-loop turn joins the batch, handed to the store at the end of the turn.
      setImmediate(() => {
        if (this.batch === batch) this.batch = undefined;
        this.commit(batch);
      });
    }
    return this.batch;
  }

  /**
   * Hands the batch to the store now, without waiting for earlier batches to
   * become durable (the store writes in call order; its fsyncs overlap the next
   * batches), and settles batches in order once each is durable.
   */
  private commit(batch: Batch): void {
    const started = performance.now();
    const outcome = this.store.commit(batch.writes).then(
      () => {
        if (batch.writes.length === 0) return undefined; // nothing reached the store
        this.committed.transactions++;
        this.committed.writes += batch.writes.length;
        this.committed.seconds += (performance.now() - started) / 1000;
        return undefined;
      },
      (error: Error) => error,
    );
    const previous = this.flushing;
    this.flushing = outcome.then(async (error) => {
      await previous;
      if (!error) {
        batch.committed();
        this.settled();
        return;
      }
      this.logger.error(
        { event: 'queue-commit-failed', err: error, writes: batch.writes.length },
        'queue storage failed',
      );
      batch.failed(new UnavailableError(`the queue could not store the change: ${error.message}`));
      this.settled(); // a failed resolve puts its entry back
    });
  }

  /** Resolves once everything requested so far has committed (or failed). */
  async idle(): Promise<void> {
    while (this.batch) await this.batch.done.catch(() => undefined);
    await this.flushing;
  }

  stats(): CommitStats {
    return { ...this.committed, syncs: this.store.syncs() };
  }
}

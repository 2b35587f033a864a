import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NotificationLimits } from '@app/notification-model';
import type { alerting } from '@app/proto';
import { CLOCK, type Clock } from '@app/runtime';
import { NOTIFICATION_LIMITS } from './notification-limits.token.js';
import {
  Admission,
  type NotifyResult,
  type QueueState,
  type SourceNotifyResult,
} from './notification-queue/admission.js';
import { Coalescing } from './notification-queue/coalescing.js';
import { Eviction } from './notification-queue/eviction.js';
import { GroupCommit } from './notification-queue/group-commit.js';
import { PendingWrites } from './notification-queue/pending-writes.js';
import { PushSide, type TakenNotification } from './notification-queue/push-side.js';
import { QueueIndex } from './notification-queue/queue-index.js';
import { QueueStatistics, type QueueStats } from './notification-queue/queue-statistics.js';
import { ResolvedIds } from './notification-queue/resolved-ids.js';
import { QUEUE_LIMITS, type QueueLimits } from './queue-limits.js';
import { QUEUE_STORE, type QueueStore } from './queue-store.js';

export type { NotifyResult, QueueState, SourceNotifyResult } from './notification-queue/admission.js';
export type { CommitStats } from './notification-queue/group-commit.js';
export type { TakenNotification } from './notification-queue/push-side.js';
export type { QueueStats, RejectReason } from './notification-queue/queue-statistics.js';

/**
 * The agent's durable priority queue: the skiplist priority queue as the
 * in-memory index (most important first, FIFO within a severity), the
 * payloads in a QueueStore. Every change is written in a batch shared by all
 * calls of the same event-loop turn (group commit) and becomes visible only
 * once that batch has committed, so an OK from notify() means durable.
 *
 * This class is the queue's face; the work is done by its parts (in
 * notification-queue/), each readable on its own: the in-memory index
 * (QueueIndex), the writes not yet committed (PendingWrites), group commit
 * (GroupCommit), admission (Admission) with coalescing (Coalescing) and
 * eviction (Eviction), the push loop's API (PushSide), the remembered
 * resolved ids (ResolvedIds) and the counters (QueueStatistics).
 */
@Injectable()
export class NotificationQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NotificationQueue.name);
  private readonly index = new QueueIndex();
  private readonly commits: GroupCommit;
  private readonly statistics: QueueStatistics;
  private readonly resolved: ResolvedIds;
  private readonly admission: Admission;
  private readonly pushSide: PushSide;

  constructor(
    @Inject(QUEUE_STORE) private readonly store: QueueStore,
    @Inject(QUEUE_LIMITS) private readonly limits: QueueLimits,
    @Inject(NOTIFICATION_LIMITS) notificationLimits: NotificationLimits,
    @Inject(CLOCK) clock: Clock,
  ) {
    const { index, logger } = this;
    const pending = new PendingWrites();
    this.commits = new GroupCommit(store, logger, () => this.pushSide.signalAvailable());
    this.statistics = new QueueStatistics(index, this.commits);
    this.resolved = new ResolvedIds(store);
    const eviction = new Eviction(index, pending, this.commits, this.statistics, limits, logger);
    const coalescing = new Coalescing(index, pending, this.commits, eviction, this.statistics);
    this.admission = new Admission(
      index,
      pending,
      this.commits,
      coalescing,
      eviction,
      this.resolved,
      this.statistics,
      notificationLimits,
      clock,
    );
    this.pushSide = new PushSide(index, pending, this.commits, this.resolved, this.statistics, store, logger);
  }

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    const index = this.index;
    const report = await this.store.recover(
      (record) => index.restore(record),
      (alias, id) => index.remember(alias, id),
      // The store's count is an upper bound (an old entry that outlived many newer ones widens it); capped at
      // maxCount it never reserves more than a full queue takes, which the agent must have room for anyway.
      (records) => index.reserve(Math.min(records, this.limits.maxCount)),
    );
    this.statistics.corrupt += report.quarantined + (report.movedAside ? 1 : 0);
    await this.resolved.load();
    if (report.movedAside) {
      index.clear(); // what was read before the file turned out unreadable is not in the new file
      this.logger.error(
        { event: 'queue-file-unreadable', movedAside: report.movedAside },
        'queue file unreadable: moved aside, starting empty',
      );
    }
    if (report.quarantined > 0) {
      this.logger.error(
        { event: 'queue-rows-quarantined', rows: report.quarantined },
        `${report.quarantined} unreadable queue rows moved to quarantine`,
      );
    }
    this.logger.log(
      {
        event: 'queue-recovered',
        count: index.count,
        bytes: index.bytes,
        depth: this.statistics.depth(),
        tookMs: Math.round(performance.now() - started),
      },
      `queue recovered: ${index.count} notifications`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.idle();
    await this.store.close();
  }

  // ---- Notify (Admission) ---------------------------------------------------

  /**
   * Queues a notification durably. Idempotent by id; coalesces with a queued
   * (not in-flight) notification of the same opni_dedupe_key; evicts less
   * important notifications when full. Throws InvalidArgumentError or
   * ResourceExhaustedError, and changes nothing then.
   */
  notify(request: alerting.AgentNotification): Promise<NotifyResult> {
    return this.admission.notify(request);
  }

  /**
   * Queues notifications and `state` (an event source's cursor) in ONE
   * transaction: when it resolves, all of it is durable; after a crash,
   * either all of it is stored or none. It first waits for whatever these
   * notifications depend on that is still being written (an earlier write of
   * the same id, or of the entry one would merge into), then places them all
   * in the same event-loop turn. Each result is what notify() would have
   * answered, or the error it would have thrown (invalid, queue full); the
   * state is written either way. Rejects only when the store fails (then
   * nothing of it is stored).
   */
  notifyWithState(
    requests: readonly alerting.AgentNotification[],
    state: readonly QueueState[],
  ): Promise<(SourceNotifyResult | Error)[]> {
    return this.admission.notifyWithState(requests, state);
  }

  /** A value written with notifyWithState (undefined when never written). */
  readState(key: string): Promise<string | undefined> {
    return this.store.readState(key);
  }

  /** Every value written with notifyWithState under keys starting with `prefix`, by key. */
  readStatesUnder(prefix: string): Promise<Map<string, string>> {
    return this.store.readStatesUnder(prefix);
  }

  /**
   * Remembers (persisted, the newest `max` of them) the ids starting with
   * `prefix` that the gateway resolves, coalesced ids included, and answers a
   * notify() of such an id OK without queueing it again: an event source that
   * sees an event again (a relist) does not send it twice. Call before the
   * queue recovers (from a constructor).
   */
  rememberResolved(prefix: string, max: number): void {
    this.resolved.register(prefix, max);
  }

  /** Whether the gateway resolved this id recently (see rememberResolved). */
  wasResolved(id: string): boolean {
    return this.resolved.recent.has(id);
  }

  // ---- The push loop's API (PushSide) ---------------------------------------

  /** See PushSide.take: the most important entries not in flight, marked in flight, with their stored content. */
  take(max: number): Promise<TakenNotification[]> {
    return this.pushSide.take(max);
  }

  /** Deletes an entry the gateway has durably stored; false when the id is not queued. See PushSide.resolve. */
  resolve(id: string): Promise<boolean> {
    return this.pushSide.resolve(id);
  }

  /** Deletes every entry, queued or in flight, in one transaction (the gateway asked). See PushSide.purge. */
  purge(): Promise<number> {
    return this.pushSide.purge();
  }

  /** Moves an in-flight entry the gateway refused as invalid to the dead-letter table. See PushSide.deadLetter. */
  deadLetter(id: string, reason: string): Promise<boolean> {
    return this.pushSide.deadLetter(id, reason);
  }

  /** Dead letters kept in the store, newest first. */
  deadLetters(limit: number): ReturnType<QueueStore['deadLetters']> {
    return this.store.deadLetters(limit);
  }

  /** Resolves once an entry can be taken (at once if one can now). */
  whenAvailable(): Promise<void> {
    return this.pushSide.whenAvailable();
  }

  /** Returns in-flight entries (all, or these ids) to the queue in their original order. */
  requeue(ids?: Iterable<string>): number {
    return this.pushSide.requeue(ids);
  }

  // ---- Group commit and visibility ---------------------------------------------

  /** Resolves once everything requested so far has committed (or failed). */
  idle(): Promise<void> {
    return this.commits.idle();
  }

  stats(): QueueStats {
    return this.statistics.stats();
  }

  /**
   * Queued entries in drain order (not in flight), for inspection, from 0-based position
   * `offset` on, in O(log n) (see QueueIndex.entries).
   */
  entries(offset = 0): ReturnType<QueueIndex['entries']> {
    return this.index.entries(offset);
  }

  /** Ids in flight, for inspection. */
  inFlightIds(): string[] {
    return [...this.index.inFlight.keys()];
  }
}

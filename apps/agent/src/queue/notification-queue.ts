import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  encodeNotification,
  newNotificationId,
  normalizeNotification,
  NotificationProperty,
  parseSeverityName,
  SEVERITY_NAMES,
  withProperty,
  type NormalizedNotification,
  type NotificationLimits,
} from '@app/notification-model';
import { alerting } from '@app/proto';
import { CLOCK, InvalidArgumentError, ResourceExhaustedError, UnavailableError, type Clock } from '@app/runtime';
import { PriorityQueue, type PriorityQueueEntry } from '@app/skiplist';
import { EntryTable } from './entry-table.js';
import { NOTIFICATION_LIMITS } from './notification-limits.token.js';
import { QUEUE_LIMITS, type QueueLimits } from './queue-limits.js';
import { QUEUE_STORE, type QueueRecord, type QueueStore, type QueueWrite } from './queue-store.js';

/** An index entry: the priority queue holds id, severity and seq, and a slot of the entry table for the rest. */
type IndexEntry = PriorityQueueEntry<number>;

export interface NotifyResult {
  /** The queued entry's id (an earlier entry's when this one coalesced into it). */
  id: string;
  coalesced: boolean;
  /** Set when the id was resolved by the gateway recently (see rememberResolved): nothing was queued. */
  alreadyResolved?: true;
}

/** What notifyWithState answers per notification. */
export interface SourceNotifyResult extends NotifyResult {
  /** The id was queued, coalesced or resolved before: nothing changed. */
  duplicate?: boolean;
}

/** A value a source keeps beside the queue (its cursor), committed with the notifications it produced. */
export interface QueueState {
  key: string;
  value: string;
}

/** How many resolved ids the queue writes before it trims the remembered ones back to their bound. */
const TRIM_RESOLVED_EVERY = 1024;

/** A notification handed to the push loop; it stays queued until resolve(id) or requeue(). */
export interface TakenNotification {
  id: string;
  severity: number;
  /** The stored notification with `opni_uuid` set to `id`. */
  notification: alerting.Notification;
  /** `notification` as protobuf bytes: the stored payload with `opni_uuid` appended (see withProperty). */
  encoded: Uint8Array;
  /** 1 on the first push, then 2, 3, … across sessions and restarts. */
  attempt: number;
}

export interface QueueStats {
  count: number;
  bytes: number;
  inFlight: number;
  /** Entries per severity name, in flight included. */
  depth: Record<string, number>;
  /** Milliseconds since the epoch of the oldest entry, undefined when empty. */
  oldestCreatedAt: number | undefined;
  evicted: Record<string, number>;
  rejected: Record<string, Record<RejectReason, number>>;
  coalesced: Record<string, number>;
  /** Rows that could not be read (quarantined) since start, plus unreadable files moved aside. */
  corrupt: number;
  /** Notifications the gateway refused as invalid since start, moved to the dead-letter table, by severity. */
  deadLettered: Record<string, number>;
  /** Entries deleted since start because the gateway asked (purge). */
  purged: number;
  /** Since start: how changes reached the store (group commit) and how long they took to become durable. */
  commits: CommitStats;
}

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

export type RejectReason = 'invalid' | 'full';

const MAX_ID_BYTES = 256;
const UNKNOWN_SEVERITY = 'unknown';

/** Writes that commit together, and what to do to the index when they have (or have not). */
class Batch {
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

interface PendingInsert {
  id: string;
  record: QueueRecord;
  write: Extract<QueueWrite, { op: 'insert' }>;
  batch: Batch;
  /** Evicted by a more important newcomer of the same batch: deleted in the same transaction. */
  evicted?: boolean;
}

interface PendingReplace {
  batch: Batch;
  severity: number;
  occurrences: number;
  bytes: number;
  write: Extract<QueueWrite, { op: 'replace' }>;
}

/**
 * The agent's durable priority queue: the skiplist priority queue as the
 * in-memory index (most important first, FIFO within a severity), the
 * payloads in a QueueStore. Every change is written in a batch shared by all
 * calls of the same event-loop turn (group commit) and becomes visible only
 * once that batch has committed, so an OK from notify() means durable.
 */
@Injectable()
export class NotificationQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NotificationQueue.name);
  /** Queued, not in flight: id → slot in `table`, most important first. */
  private readonly index = new PriorityQueue<number>();
  private readonly table = new EntryTable();
  /** In flight: id → slot in `table`. */
  private readonly inFlight = new Map<string, number>();
  private readonly byDedupeKey = new Map<string, string>();
  /** Client ids that were coalesced into another entry → that entry's id. */
  private readonly aliases = new Map<string, string>();
  private readonly aliasesOf = new Map<string, string[]>();
  private nextSeq = 0;

  // Committed totals (queued and in flight).
  private count = 0;
  private bytes = 0;
  private readonly countBySeverity = [0, 0, 0, 0];
  /** Queued, not in flight, per severity: the index's lane sizes. */
  private readonly queuedBySeverity = [0, 0, 0, 0];

  // Not yet committed.
  private batch: Batch | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly pendingIds = new Map<string, Batch>();
  private readonly pendingInserts = new Map<string, PendingInsert>();
  private readonly pendingByDedupeKey = new Map<string, PendingInsert>();
  private readonly pendingReplaces = new Map<string, PendingReplace>();
  private pendingCount = 0;
  private pendingBytes = 0;

  private readonly evicted = new Map<string, number>();
  private readonly rejected = new Map<string, Record<RejectReason, number>>();
  private readonly coalesced = new Map<string, number>();
  private corrupt = 0;
  private purged = 0;
  private readonly deadLettered = new Map<string, number>();
  /** Id prefixes whose resolved ids are remembered (see rememberResolved), and how many of them at most. */
  private readonly rememberedPrefixes: string[] = [];
  private rememberMax = 0;
  /** Remembered resolved ids, oldest first (a Set keeps insertion order). */
  private readonly resolvedRecently = new Set<string>();
  private resolvedSinceTrim = 0;
  private readonly committed = { transactions: 0, writes: 0, seconds: 0 };
  /** The push loop waiting for something to take. */
  private availableWaiters: (() => void)[] = [];

  constructor(
    @Inject(QUEUE_STORE) private readonly store: QueueStore,
    @Inject(QUEUE_LIMITS) private readonly limits: QueueLimits,
    @Inject(NOTIFICATION_LIMITS) private readonly notificationLimits: NotificationLimits,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    const report = await this.store.recover(
      (record) => this.restore(record),
      (alias, id) => this.remember(alias, id),
      // The store's count is an upper bound (an old entry that outlived many newer ones widens it); capped at
      // maxCount it never reserves more than a full queue takes, which the agent must have room for anyway.
      (records) => this.reserve(Math.min(records, this.limits.maxCount)),
    );
    this.corrupt += report.quarantined + (report.movedAside ? 1 : 0);
    if (this.rememberedPrefixes.length > 0) {
      const ids = await this.store.resolvedIds();
      for (const id of ids.slice(-this.rememberMax)) this.resolvedRecently.add(id);
    }
    if (report.movedAside) {
      this.forgetRecovered(); // what was read before the file turned out unreadable is not in the new file
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
        count: this.count,
        bytes: this.bytes,
        depth: this.depth(),
        tookMs: Math.round(performance.now() - started),
      },
      `queue recovered: ${this.count} notifications`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.idle();
    await this.store.close();
  }

  /**
   * Sizes the index for `entries` at once before a recovery, so that a large
   * queue is not rebuilt through dozens of ever larger copies of its arrays
   * (garbage that raised the agent's peak memory during a restart).
   */
  private reserve(entries: number): void {
    this.index.reserve(entries);
    this.table.reserve(entries);
  }

  /** Adds a stored record to the index; the reason when it cannot be (its id is queued already). */
  private restore(record: Readonly<QueueRecord>): string | undefined {
    const slot = this.table.add(record);
    // Not a merge target: it may have been pushed just before the crash (its attempt count is written after the
    // push goes out), and the gateway keeps the first version of an id.
    if (!this.reinstate(record.id, slot, record.dedupeKey, false)) {
      this.table.release(slot);
      return `duplicate id (also queued as seq ${this.index.getEntry(record.id)!.seq})`;
    }
    if (record.seq >= this.nextSeq) this.nextSeq = record.seq + 1;
    return undefined;
  }

  /**
   * Queues the entry in `slot` again (recovered, or put back after a failed
   * commit), counting it; false when its id is queued already.
   */
  private reinstate(
    id: string,
    slot: number,
    dedupeKey = this.table.dedupeKey(slot),
    mergeable = this.table.attempts(slot) === 0,
  ): boolean {
    const table = this.table;
    const severity = table.severity(slot);
    if (!this.index.push(id, severity, slot, table.seq(slot))) return false;
    this.tally(slot, 1);
    this.queuedBySeverity[severity]++;
    // The newest entry of a key is the one to merge into; never one that may have been pushed (see requeue()).
    if (dedupeKey !== undefined && mergeable) this.byDedupeKey.set(dedupeKey, id);
    return true;
  }

  /** Drops everything recover() visited (the file it came from was moved aside). */
  private forgetRecovered(): void {
    this.index.clear();
    this.table.clear();
    this.byDedupeKey.clear();
    this.aliases.clear();
    this.aliasesOf.clear();
    this.count = 0;
    this.bytes = 0;
    this.countBySeverity.fill(0);
    this.queuedBySeverity.fill(0);
  }

  private remember(alias: string, id: string): void {
    this.aliases.set(alias, id);
    const list = this.aliasesOf.get(id);
    if (list) list.push(alias);
    else this.aliasesOf.set(id, [alias]);
  }

  /** Uncounts an entry that has left the index and the in-flight set; its slot is released by the caller. */
  private forget(id: string, slot: number): void {
    for (const alias of this.aliasesOf.get(id) ?? []) this.aliases.delete(alias);
    this.aliasesOf.delete(id);
    const dedupeKey = this.table.dedupeKey(slot);
    if (dedupeKey !== undefined && this.byDedupeKey.get(dedupeKey) === id) this.byDedupeKey.delete(dedupeKey);
    this.tally(slot, -1);
  }

  /** Adds (1) or removes (-1) the entry in `slot` from the committed totals. */
  private tally(slot: number, sign: 1 | -1): void {
    this.count += sign;
    this.bytes += sign * this.table.bytes(slot);
    this.countBySeverity[this.table.severity(slot)] += sign;
  }

  // ---- Notify ------------------------------------------------------------

  /**
   * Queues a notification durably. Idempotent by id; coalesces with a queued
   * (not in-flight) notification of the same opni_dedupe_key; evicts less
   * important notifications when full. Throws InvalidArgumentError or
   * ResourceExhaustedError, and changes nothing then.
   */
  async notify(request: alerting.AgentNotification): Promise<NotifyResult> {
    const normalized = this.validate(request);
    const id = request.id === '' ? newNotificationId() : request.id;
    for (;;) {
      // Settle what is in flight for this id (or for the entry to merge into), then decide afresh.
      const placed = this.place(id, request.id !== '', normalized);
      if (!(placed instanceof Batch)) return placed;
      await placed.done.catch(() => undefined);
    }
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
  async notifyWithState(
    requests: readonly alerting.AgentNotification[],
    state: readonly QueueState[],
  ): Promise<(SourceNotifyResult | Error)[]> {
    const prepared = requests.map((request) => {
      try {
        const normalized = this.validate(request);
        const id = request.id === '' ? newNotificationId() : request.id;
        return { request, id, normalized };
      } catch (error) {
        return error as Error;
      }
    });
    for (;;) {
      const waits = new Set<Batch>();
      for (const p of prepared) {
        if (p instanceof Error) continue;
        const key = p.normalized.dedupeKey;
        const wait = this.pendingIds.get(p.id) ?? (key === undefined ? undefined : this.writtenMergeTarget(key));
        if (wait && wait !== this.batch) waits.add(wait);
      }
      if (waits.size === 0) break;
      await Promise.all([...waits].map((batch) => batch.done.catch(() => undefined)));
    }
    // From here on synchronous: everything joins the current batch.
    const placedById = new Map<string, Promise<SourceNotifyResult>>();
    const outcomes = prepared.map((p): Promise<SourceNotifyResult> | Error => {
      if (p instanceof Error) return p;
      const earlier = placedById.get(p.id);
      if (earlier) return earlier.then((result) => ({ ...result, duplicate: true }));
      try {
        const target = this.aliases.get(p.id) ?? p.id;
        const duplicate = this.index.has(target) || this.inFlight.has(target) || this.resolvedRecently.has(p.id);
        const placed = this.place(p.id, p.request.id !== '', p.normalized);
        const result = (placed instanceof Batch ? placed.done.then(() => this.notify(p.request)) : placed).then(
          (r): SourceNotifyResult => (duplicate ? { ...r, duplicate } : r),
        );
        placedById.set(p.id, result);
        return result;
      } catch (error) {
        return error as Error;
      }
    });
    const batch = this.currentBatch();
    for (const { key, value } of state) batch.writes.push({ op: 'state', key, value });
    const settled = Promise.all(outcomes.map((o) => (o instanceof Error ? o : o.catch((error: Error) => error))));
    await batch.done;
    return settled;
  }

  /** A value written with notifyWithState (undefined when never written). */
  readState(key: string): Promise<string | undefined> {
    return this.store.readState(key);
  }

  /**
   * Remembers (persisted, the newest `max` of them) the ids starting with
   * `prefix` that the gateway resolves, coalesced ids included, and answers a
   * notify() of such an id OK without queueing it again: an event source that
   * sees an event again (a relist) does not send it twice. Call before the
   * queue recovers (from a constructor).
   */
  rememberResolved(prefix: string, max: number): void {
    this.rememberedPrefixes.push(prefix);
    this.rememberMax = Math.max(this.rememberMax, max);
  }

  /** Whether the gateway resolved this id recently (see rememberResolved). */
  wasResolved(id: string): boolean {
    return this.resolvedRecently.has(id);
  }

  /** Queues now (in this turn's batch), or names the batch still being written that it must wait for first. */
  private place(id: string, explicitId: boolean, normalized: NormalizedNotification): Promise<NotifyResult> | Batch {
    const pending = this.pendingIds.get(id);
    if (pending) return pending;
    const target = this.aliases.get(id) ?? id;
    if (this.index.has(target) || this.inFlight.has(target))
      return Promise.resolve({ id: target, coalesced: target !== id });
    if (this.resolvedRecently.has(id)) return Promise.resolve({ id, coalesced: false, alreadyResolved: true });
    if (normalized.dedupeKey === undefined) return this.insert(id, normalized);
    const written = this.writtenMergeTarget(normalized.dedupeKey);
    if (written) return written;
    return this.coalesce(id, explicitId, normalized) ?? this.insert(id, normalized);
  }

  /**
   * The batch holding an uncommitted insert or merge of the entry that `key`
   * would merge into, when that batch has already gone to the store: a merge
   * cannot change writes that are written, so it waits for that batch.
   */
  private writtenMergeTarget(key: string): Batch | undefined {
    const insert = this.pendingByDedupeKey.get(key);
    if (insert) return insert.batch === this.batch ? undefined : insert.batch;
    const targetId = this.byDedupeKey.get(key);
    const replace = targetId === undefined ? undefined : this.pendingReplaces.get(targetId);
    return replace && replace.batch !== this.batch ? replace.batch : undefined;
  }

  private validate(request: alerting.AgentNotification): NormalizedNotification {
    try {
      if (Buffer.byteLength(request.id, 'utf8') > MAX_ID_BYTES) {
        throw new InvalidArgumentError('id', `must be at most ${MAX_ID_BYTES} bytes`);
      }
      if (/\p{Cc}/u.test(request.id)) throw new InvalidArgumentError('id', 'must not contain control characters');
      // SQLite and protobuf store a lone surrogate as U+FFFD: the stored id would differ from the acknowledged one.
      if (!request.id.isWellFormed()) throw new InvalidArgumentError('id', 'is not valid Unicode (lone surrogate)');
      return normalizeNotification(request.message, this.notificationLimits);
    } catch (error) {
      const severity = request.message?.properties?.[NotificationProperty.severity] ?? 'Info';
      this.countRejected(parseSeverityName(severity) ?? UNKNOWN_SEVERITY, 'invalid');
      throw error;
    }
  }

  private insert(id: string, normalized: NormalizedNotification): Promise<NotifyResult> {
    const { severity, dedupeKey, encoded } = normalized;
    this.makeRoom(severity, 1, encoded.length);
    const batch = this.currentBatch();
    const record: QueueRecord = {
      id,
      seq: this.nextSeq++,
      severity,
      bytes: encoded.length,
      dedupeKey,
      createdAt: this.clock.now(),
      attempts: 0,
      occurrences: 1,
    };
    const pending: PendingInsert = { id, record, write: { op: 'insert', record, payload: encoded }, batch };
    batch.writes.push(pending.write);
    batch.inserts[severity]++;
    this.pendingIds.set(id, batch);
    this.pendingInserts.set(id, pending);
    if (dedupeKey !== undefined) this.pendingByDedupeKey.set(dedupeKey, pending);
    this.pendingCount++;
    this.pendingBytes += record.bytes;

    const settle = () => {
      this.pendingIds.delete(id);
      if (pending.evicted) return; // makeRoom has let go of it already
      this.pendingInserts.delete(id);
      if (dedupeKey !== undefined && this.pendingByDedupeKey.get(dedupeKey) === pending)
        this.pendingByDedupeKey.delete(dedupeKey);
      this.pendingCount--;
      this.pendingBytes -= record.bytes;
    };
    batch.onCommit.push(() => {
      settle();
      if (pending.evicted) return;
      this.reinstate(id, this.table.add(record));
    });
    batch.onFailure.push(settle);
    return batch.done.then(() => ({ id, coalesced: false }));
  }

  /** Merges into a queued entry with the same dedupe key; undefined when there is none to merge into. */
  private coalesce(
    id: string,
    explicitId: boolean,
    normalized: NormalizedNotification,
  ): Promise<NotifyResult> | undefined {
    const key = normalized.dedupeKey!;
    const pendingInsert = this.pendingByDedupeKey.get(key);
    if (pendingInsert) return this.coalesceIntoPending(id, explicitId, normalized, pendingInsert);

    const targetId = this.byDedupeKey.get(key);
    const target = targetId === undefined ? undefined : this.index.getEntry(targetId);
    if (!target) return undefined;
    const slot = target.item;
    const base = this.pendingReplaces.get(target.id) ?? {
      severity: this.table.severity(slot),
      occurrences: this.table.occurrences(slot),
      bytes: this.table.bytes(slot),
    };
    const severity = Math.max(base.severity, normalized.severity);
    const occurrences = base.occurrences + 1;
    const payload = mergedPayload(normalized, severity, occurrences);
    const delta = payload.length - base.bytes;
    if (delta > 0) this.makeRoom(severity, 0, delta, target.id);

    const batch = this.currentBatch();
    let pending = this.pendingReplaces.get(target.id);
    if (pending) {
      Object.assign(pending, { severity, occurrences, bytes: payload.length });
      Object.assign(pending.write, { severity, occurrences, payload });
    } else {
      pending = {
        batch,
        severity,
        occurrences,
        bytes: payload.length,
        write: { op: 'replace', seq: target.seq, severity, occurrences, payload },
      };
      this.pendingReplaces.set(target.id, pending);
      batch.writes.push(pending.write);
      const replace = pending;
      const originalBytes = base.bytes;
      batch.onCommit.push(() => {
        this.pendingReplaces.delete(target.id);
        this.pendingBytes -= replace.bytes - originalBytes;
        const table = this.table;
        const queued = this.index.getEntry(target.id);
        const flying = this.inFlight.get(target.id);
        // Queued, or taken by the push loop while this merge was being written (take waits for it).
        const slot =
          queued && queued.seq === target.seq
            ? queued.item
            : flying !== undefined && table.seq(flying) === target.seq
              ? flying
              : undefined;
        if (slot === undefined) return; // resolved or evicted meanwhile
        const was = table.severity(slot);
        this.bytes += replace.bytes - table.bytes(slot);
        this.countBySeverity[was]--;
        this.countBySeverity[replace.severity]++;
        table.setSeverity(slot, replace.severity);
        table.setOccurrences(slot, replace.occurrences);
        table.setBytes(slot, replace.bytes);
        if (slot === queued?.item) {
          this.queuedBySeverity[was]--;
          this.queuedBySeverity[replace.severity]++;
          this.index.update(target.id, replace.severity, slot);
        }
      });
      batch.onFailure.push(() => {
        this.pendingReplaces.delete(target.id);
        this.pendingBytes -= replace.bytes - originalBytes;
      });
    }
    this.pendingBytes += delta;
    batch.onCommit.push(() => this.countCoalesced(severity));
    this.addAlias(batch, id, explicitId, target.id, target.seq);
    return batch.done.then(() => ({ id: target.id, coalesced: true }));
  }

  private coalesceIntoPending(
    id: string,
    explicitId: boolean,
    normalized: NormalizedNotification,
    pending: PendingInsert,
  ): Promise<NotifyResult> {
    const { record, write, batch } = pending;
    const severity = Math.max(record.severity, normalized.severity);
    const occurrences = record.occurrences + 1;
    const payload = mergedPayload(normalized, severity, occurrences);
    const delta = payload.length - record.bytes;
    if (delta > 0) this.makeRoom(severity, 0, delta, pending.id);
    this.pendingBytes += delta;
    batch.inserts[record.severity]--;
    batch.inserts[severity]++;
    Object.assign(record, { severity, occurrences, bytes: payload.length });
    write.payload = payload;
    batch.onCommit.push(() => this.countCoalesced(severity));
    this.addAlias(batch, id, explicitId, pending.id, record.seq);
    return batch.done.then(() => ({ id: pending.id, coalesced: true }));
  }

  /** Remembers a client's own id for an entry it was merged into, so its retries stay idempotent. */
  private addAlias(batch: Batch, alias: string, explicitId: boolean, id: string, seq: number): void {
    if (!explicitId || alias === id) return;
    batch.writes.push({ op: 'alias', alias, seq });
    this.pendingIds.set(alias, batch);
    const settle = () => {
      if (this.pendingIds.get(alias) === batch) this.pendingIds.delete(alias);
    };
    batch.onCommit.push(() => {
      settle();
      if (this.index.has(id) || this.inFlight.has(id)) this.remember(alias, id);
    });
    batch.onFailure.push(settle);
  }

  /**
   * Makes room for `addCount` entries and `addBytes` bytes of a notification
   * of `severity` by evicting the least important entries, oldest first:
   * queued ones, and notifications of the current batch that have not
   * committed yet (newer than anything queued, so after queued ones of the
   * same severity). It never evicts anything more important than the
   * newcomer (so never a Critical for anything less), nor entries in flight,
   * nor `keepId`, nor an entry whose severity a pending coalesce is raising
   * (its stored severity is about to be out of date): when that is not
   * enough, the newcomer is rejected with RESOURCE_EXHAUSTED and nothing
   * changes.
   */
  private makeRoom(severity: number, addCount: number, addBytes: number, keepId?: string): void {
    const { maxCount, maxBytes } = this.limits;
    let count = this.count + this.pendingCount + addCount;
    let bytes = this.bytes + this.pendingBytes + addBytes;
    if (count <= maxCount && bytes <= maxBytes) return;
    const name = SEVERITY_NAMES[severity];
    if (addBytes > maxBytes) {
      this.countRejected(name, 'full');
      throw new ResourceExhaustedError(
        `this ${name} notification needs ${addBytes} bytes, more than the whole queue may hold ` +
          `(AGENT_QUEUE_MAX_BYTES ${maxBytes}); not queued`,
      );
    }

    const victims: IndexEntry[] = [];
    const pendingVictims = new Set<PendingInsert>();
    const pendingLeft = [...(this.batch?.inserts ?? [0, 0, 0, 0])];
    /** Entries looked past while searching for victims, to be put back. */
    const setAside: IndexEntry[] = [];
    const putBack = (entries: IndexEntry[]) => entries.forEach((e) => this.index.push(e.id, e.priority, e.item, e.seq));
    while (count > maxCount || bytes > maxBytes) {
      let least = this.index.peekLeastEntry();
      while (least !== undefined && (least.id === keepId || this.pendingReplaces.has(least.id))) {
        setAside.push(this.index.popLeastEntry()!);
        least = this.index.peekLeastEntry();
      }
      const below = Math.min(least?.priority ?? SEVERITY_NAMES.length, severity + 1);
      const pending = this.leastPendingInsert(below, pendingLeft, pendingVictims, keepId);
      if (!pending && (!least || least.priority > severity)) {
        putBack(setAside);
        putBack(victims);
        this.countRejected(name, 'full');
        throw new ResourceExhaustedError(
          `queue full (${this.count + this.pendingCount} of ${maxCount} notifications, ${this.bytes + this.pendingBytes} of ${maxBytes} bytes): ` +
            `nothing less important than this ${name} notification can be evicted; not queued`,
        );
      }
      if (pending) {
        pendingVictims.add(pending);
        pendingLeft[pending.record.severity]--;
        count--;
        bytes -= pending.record.bytes;
      } else {
        this.index.popLeast();
        victims.push(least!);
        count--;
        bytes -= this.table.bytes(least!.item);
      }
    }
    putBack(setAside);

    const batch = this.currentBatch();
    const victimAliases = victims.map((v) => this.aliasesOf.get(v.id) ?? []);
    for (const victim of victims) {
      this.queuedBySeverity[victim.priority]--;
      this.forget(victim.id, victim.item);
      batch.writes.push({ op: 'delete', seq: victim.seq });
    }
    // Not yet committed: inserted and deleted in the same transaction; its notify still answers OK.
    const pendingSeverities = [...pendingVictims].map((p) => p.record.severity);
    for (const victim of pendingVictims) {
      victim.evicted = true;
      batch.inserts[victim.record.severity]--;
      this.pendingInserts.delete(victim.id);
      const key = victim.record.dedupeKey;
      if (key !== undefined && this.pendingByDedupeKey.get(key) === victim) this.pendingByDedupeKey.delete(key);
      this.pendingCount--;
      this.pendingBytes -= victim.record.bytes;
      batch.writes.push({ op: 'delete', seq: victim.record.seq });
    }
    batch.onCommit.push(() => {
      for (const victim of victims) this.table.release(victim.item);
      const severities = [...victims.map((v) => v.priority), ...pendingSeverities];
      for (const s of severities) this.countEvicted(SEVERITY_NAMES[s]);
      this.logger.warn(
        {
          event: 'queue-evicted',
          ids: [...victims.map((v) => v.id), ...[...pendingVictims].map((p) => p.id)],
          severities: severities.map((s) => SEVERITY_NAMES[s]),
        },
        `queue full: evicted ${severities.length} less important notification(s) to admit a ${name} one`,
      );
    });
    batch.onFailure.push(() => {
      victims.forEach((victim, i) => {
        this.reinstate(victim.id, victim.item);
        for (const alias of victimAliases[i]) this.remember(alias, victim.id);
      });
      // Pending victims fail with the batch: nothing to restore.
    });
  }

  /**
   * The least important, oldest insert of the current batch (not committed
   * yet, so it can be deleted in the same transaction) of a severity below
   * `below`, other than `chosen` and `keepId`; `left` counts the batch's
   * inserts per severity that are not chosen.
   */
  private leastPendingInsert(
    below: number,
    left: readonly number[],
    chosen: ReadonlySet<PendingInsert>,
    keepId: string | undefined,
  ): PendingInsert | undefined {
    const batch = this.batch;
    if (!batch) return undefined;
    for (let severity = 0; severity < below; severity++) {
      if (left[severity] === 0) continue;
      // Map order is insertion (seq) order: the first one found is the oldest.
      for (const pending of this.pendingInserts.values()) {
        if (
          pending.batch === batch &&
          pending.record.severity === severity &&
          pending.id !== keepId &&
          !chosen.has(pending)
        )
          return pending;
      }
    }
    return undefined;
  }

  // ---- The push loop's API ----------------------------------------------

  /**
   * Takes up to `max` of the most important queued entries that are not in
   * flight, marks them in flight and returns them with their stored content.
   * An entry whose payload cannot be read is quarantined and counted, and the
   * next entry is taken in its place.
   */
  async take(max: number): Promise<TakenNotification[]> {
    // Entries in the index are committed, so their rows can be read at once: waiting
    // for every pending commit would put an fsync into each push cycle of a drain.
    // Notifications being written are waited for (once) only when the index cannot
    // fill the request without them.
    if (this.pendingInserts.size > 0 && this.index.size < max) await this.idle();
    const table = this.table;
    const result: TakenNotification[] = [];
    while (result.length < max) {
      const taken = this.markInFlight(max - result.length);
      if (taken.length === 0) break;
      // A merge into one of these still being written: read its row once it is.
      const merging = new Set(taken.flatMap((t) => this.pendingReplaces.get(t.id)?.batch ?? []));
      for (const batch of merging) await batch.done.catch(() => undefined);
      const payloads = await this.store.payloads(taken.map((t) => t.seq));
      for (const { id, item: slot, seq } of taken) {
        if (this.inFlight.get(id) !== slot) continue; // resolved while reading
        let notification: alerting.Notification;
        let payload: Uint8Array | undefined;
        try {
          payload = payloads.get(seq);
          if (!payload) throw new Error('payload missing');
          notification = alerting.Notification.decode(payload); // a payload that does not decode is quarantined here
        } catch (error) {
          await this.quarantine(id, slot, `payload unreadable: ${(error as Error).message}`);
          continue;
        }
        const attempts = table.attempts(slot) + 1;
        table.setAttempts(slot, attempts);
        this.currentBatch().writes.push({ op: 'attempts', seq, attempts });
        notification.properties[NotificationProperty.uuid] = id;
        const encoded = withProperty(payload, NotificationProperty.uuid, id);
        result.push({ id, severity: table.severity(slot), notification, encoded, attempt: attempts });
      }
    }
    return result;
  }

  /** Moves up to `max` of the most important queued entries in flight. */
  private markInFlight(max: number): IndexEntry[] {
    const taken: IndexEntry[] = [];
    while (taken.length < max) {
      const next = this.index.popEntry();
      if (!next) break;
      this.queuedBySeverity[next.priority]--;
      this.inFlight.set(next.id, next.item);
      const key = this.table.dedupeKey(next.item);
      if (key !== undefined && this.byDedupeKey.get(key) === next.id) this.byDedupeKey.delete(key); // no merging into what is being sent
      taken.push(next);
    }
    return taken;
  }

  private async quarantine(id: string, slot: number, reason: string): Promise<void> {
    const seq = this.table.seq(slot);
    this.inFlight.delete(id);
    this.forget(id, slot);
    this.table.release(slot);
    this.corrupt++;
    this.logger.error({ event: 'queue-entry-quarantined', id, reason }, `queue entry ${id} quarantined: ${reason}`);
    await this.store.quarantine(seq, reason);
  }

  /**
   * Deletes an entry the gateway has durably stored. False when the id is not
   * queued. When the delete cannot be stored it rejects and the entry stays.
   */
  async resolve(id: string): Promise<boolean> {
    await this.pendingIds.get(id)?.done.catch(() => undefined);
    const aliases = this.aliasesOf.get(id) ?? [];
    const batch = this.delete(id);
    if (!batch) return false;
    if (this.rememberedPrefixes.length > 0) this.rememberResolvedIds(batch, [id, ...aliases]);
    await batch.done;
    return true;
  }

  /** Writes the ids that rememberResolved asked for into `batch`, remembering them once it commits. */
  private rememberResolvedIds(batch: Batch, ids: string[]): void {
    const remembered = ids.filter((id) => this.rememberedPrefixes.some((prefix) => id.startsWith(prefix)));
    if (remembered.length === 0) return;
    for (const id of remembered) batch.writes.push({ op: 'resolved', id });
    this.resolvedSinceTrim += remembered.length;
    if (this.resolvedSinceTrim >= TRIM_RESOLVED_EVERY) {
      this.resolvedSinceTrim = 0;
      batch.writes.push({ op: 'trimResolved', keep: this.rememberMax });
    }
    batch.onCommit.push(() => {
      for (const id of remembered) this.resolvedRecently.add(id);
      // Oldest first: drop from the front down to the bound.
      for (const id of this.resolvedRecently) {
        if (this.resolvedRecently.size <= this.rememberMax) break;
        this.resolvedRecently.delete(id);
      }
    });
  }

  /**
   * Deletes every entry, queued or in flight, in one transaction: the gateway
   * asked for it (alerting uninstalled with deleteStoredData). Notifications
   * still being committed when it is called go too; those accepted after it
   * resolved stay. Counted (stats().purged); the caller logs it.
   */
  async purge(): Promise<number> {
    await this.idle(); // what is being committed is in the index by then
    const ids = [...this.inFlight.keys(), ...[...this.index.entries()].map((entry) => entry.id)];
    let batch: Batch | undefined;
    for (const id of ids) batch = this.delete(id) ?? batch;
    if (!batch) return 0;
    await batch.done;
    this.purged += ids.length;
    return ids.length;
  }

  /** Takes the entry out of the index (or the in-flight set) and writes its delete; undefined when not queued. */
  private delete(id: string): Batch | undefined {
    const flying = this.inFlight.get(id);
    const slot = flying ?? this.index.get(id);
    if (slot === undefined) return undefined;
    const aliases = this.aliasesOf.get(id) ?? [];
    if (flying !== undefined) {
      this.inFlight.delete(id);
    } else {
      this.index.remove(id);
      this.queuedBySeverity[this.table.severity(slot)]--;
    }
    this.forget(id, slot);
    const batch = this.currentBatch();
    batch.writes.push({ op: 'delete', seq: this.table.seq(slot) });
    batch.onCommit.push(() => this.table.release(slot));
    batch.onFailure.push(() => {
      // Still stored: keep it where it was, in flight or queued in its place.
      if (flying !== undefined) {
        this.inFlight.set(id, slot);
        this.tally(slot, 1);
      } else {
        this.reinstate(id, slot);
      }
      for (const alias of aliases) this.remember(alias, id);
    });
    return batch;
  }

  /**
   * Moves an in-flight entry the gateway refused as invalid to the dead-letter
   * table: it would be refused forever, so it is not pushed again; it is
   * counted, logged, and listed by GET /api/v1/queue/dead-letters. False when
   * the id is not in flight.
   */
  async deadLetter(id: string, reason: string): Promise<boolean> {
    await this.pendingIds.get(id)?.done.catch(() => undefined);
    const slot = this.inFlight.get(id);
    if (slot === undefined) return false;
    const seq = this.table.seq(slot);
    const severity = SEVERITY_NAMES[this.table.severity(slot)];
    await this.store.deadLetter(seq, reason);
    if (this.inFlight.get(id) !== slot) return true; // resolved meanwhile: nothing left to uncount
    this.inFlight.delete(id);
    this.forget(id, slot);
    this.table.release(slot);
    this.deadLettered.set(severity, (this.deadLettered.get(severity) ?? 0) + 1);
    this.logger.error(
      { event: 'queue-entry-dead-lettered', id, severity, reason },
      `the gateway refused notification ${id} (${severity}): ${reason}; moved to the dead-letter table`,
    );
    return true;
  }

  /** Dead letters kept in the store, newest first. */
  deadLetters(limit: number): ReturnType<QueueStore['deadLetters']> {
    return this.store.deadLetters(limit);
  }

  /** Resolves once an entry can be taken (at once if one can now). */
  whenAvailable(): Promise<void> {
    if (this.index.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.availableWaiters.push(resolve));
  }

  private signalAvailable(): void {
    if (this.index.size === 0 || this.availableWaiters.length === 0) return;
    const waiters = this.availableWaiters;
    this.availableWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Returns in-flight entries (all, or these ids) to the queue in their original order. */
  requeue(ids?: Iterable<string>): number {
    const table = this.table;
    let returned = 0;
    for (const id of ids ?? [...this.inFlight.keys()]) {
      const slot = this.inFlight.get(id);
      if (slot === undefined) continue;
      this.inFlight.delete(id);
      const severity = table.severity(slot);
      this.index.push(id, severity, slot, table.seq(slot));
      this.queuedBySeverity[severity]++;
      // Not a merge target again: the gateway may have stored it already, and it keeps the first version of an
      // id (ingest is exactly-once by id), so occurrences merged into it now would never show there.
      returned++;
    }
    this.signalAvailable();
    return returned;
  }

  // ---- Batching ----------------------------------------------------------

  private currentBatch(): Batch {
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
        this.signalAvailable();
        return;
      }
      this.logger.error(
        { event: 'queue-commit-failed', err: error, writes: batch.writes.length },
        'queue storage failed',
      );
      batch.failed(new UnavailableError(`the queue could not store the change: ${error.message}`));
      this.signalAvailable(); // a failed resolve puts its entry back
    });
  }

  /** Resolves once everything requested so far has committed (or failed). */
  async idle(): Promise<void> {
    while (this.batch) await this.batch.done.catch(() => undefined);
    await this.flushing;
  }

  // ---- Visibility --------------------------------------------------------

  private countRejected(severity: string, reason: RejectReason): void {
    const counts = this.rejected.get(severity) ?? { invalid: 0, full: 0 };
    counts[reason]++;
    this.rejected.set(severity, counts);
  }

  private countEvicted(severity: string): void {
    this.evicted.set(severity, (this.evicted.get(severity) ?? 0) + 1);
  }

  private countCoalesced(severity: number): void {
    const name = SEVERITY_NAMES[severity];
    this.coalesced.set(name, (this.coalesced.get(name) ?? 0) + 1);
  }

  private depth(): Record<string, number> {
    return Object.fromEntries(SEVERITY_NAMES.map((name, severity) => [name, this.countBySeverity[severity]]));
  }

  /** The oldest entry's creation time: the head of each severity's lane, and what is in flight. */
  private oldestCreatedAt(): number | undefined {
    let oldest: number | undefined;
    let rank = 0;
    for (let severity = 3; severity >= 0; severity--) {
      if (this.queuedBySeverity[severity] === 0) continue;
      const head = this.index.at(rank)!;
      oldest = Math.min(oldest ?? Infinity, this.table.createdAt(head.item));
      rank += this.queuedBySeverity[severity];
    }
    for (const slot of this.inFlight.values()) oldest = Math.min(oldest ?? Infinity, this.table.createdAt(slot));
    return oldest;
  }

  stats(): QueueStats {
    return {
      count: this.count,
      bytes: this.bytes,
      inFlight: this.inFlight.size,
      depth: this.depth(),
      oldestCreatedAt: this.oldestCreatedAt(),
      evicted: Object.fromEntries(this.evicted),
      rejected: Object.fromEntries(this.rejected),
      coalesced: Object.fromEntries(this.coalesced),
      corrupt: this.corrupt,
      deadLettered: Object.fromEntries(this.deadLettered),
      purged: this.purged,
      commits: { ...this.committed, syncs: this.store.syncs() },
    };
  }

  /**
   * Queued entries in drain order (not in flight), for inspection, from 0-based position
   * `offset` on: the index finds that position in O(log n), so a page deep in a million
   * entries costs what the first page does.
   */
  *entries(offset = 0): Generator<{
    id: string;
    seq: number;
    severity: string;
    bytes: number;
    createdAt: number;
    attempts: number;
    occurrences: number;
    dedupeKey?: string;
  }> {
    for (const { id, item: slot } of this.index.entries(offset)) {
      const { seq, severity, bytes, createdAt, attempts, occurrences, dedupeKey } = this.table.fields(slot);
      yield { id, seq, severity: SEVERITY_NAMES[severity], bytes, createdAt, attempts, occurrences, dedupeKey };
    }
  }

  /** Ids in flight, for inspection. */
  inFlightIds(): string[] {
    return [...this.inFlight.keys()];
  }
}

/** The newest content, with the merged severity and occurrence count written into its properties. */
function mergedPayload(normalized: NormalizedNotification, severity: number, occurrences: number): Uint8Array {
  const { notification } = normalized;
  return encodeNotification({
    ...notification,
    properties: {
      ...notification.properties,
      [NotificationProperty.severity]: SEVERITY_NAMES[severity],
      [NotificationProperty.occurrences]: String(occurrences),
    },
  });
}

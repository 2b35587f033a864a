import {
  newNotificationId,
  normalizeNotification,
  NotificationProperty,
  parseSeverityName,
  type NormalizedNotification,
  type NotificationLimits,
} from '@app/notification-model';
import type { alerting } from '@app/proto';
import { InvalidArgumentError, type Clock } from '@app/runtime';
import type { QueueRecord } from '../queue-store.js';
import type { Coalescing } from './coalescing.js';
import type { Eviction } from './eviction.js';
import { Batch, type GroupCommit } from './group-commit.js';
import type { PendingInsert, PendingWrites } from './pending-writes.js';
import type { QueueIndex } from './queue-index.js';
import type { QueueStatistics } from './queue-statistics.js';
import type { ResolvedIds } from './resolved-ids.js';

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
  /** null forgets the key. */
  value: string | null;
}

const MAX_ID_BYTES = 256;
const UNKNOWN_SEVERITY = 'unknown';

/**
 * Admission: what Notify does to the queue. A notification is validated,
 * answered at once when its id is known (queued, in flight, coalesced or
 * recently resolved), merged into a same-key entry (Coalescing) or inserted
 * into this turn's batch after Eviction has made room, and answered once that
 * batch has committed.
 */
export class Admission {
  // The maps place() reads on every Notify, held directly.
  private readonly pendingIds: Map<string, Batch>;
  private readonly aliases: Map<string, string>;
  private readonly queued: QueueIndex['queued'];
  private readonly inFlight: Map<string, number>;
  private readonly resolvedRecently: Set<string>;

  constructor(
    private readonly index: QueueIndex,
    private readonly pending: PendingWrites,
    private readonly commits: GroupCommit,
    private readonly coalescing: Coalescing,
    private readonly eviction: Eviction,
    resolved: ResolvedIds,
    private readonly statistics: QueueStatistics,
    private readonly notificationLimits: NotificationLimits,
    private readonly clock: Clock,
  ) {
    this.pendingIds = pending.ids;
    this.aliases = index.aliases;
    this.queued = index.queued;
    this.inFlight = index.inFlight;
    this.resolvedRecently = resolved.recent;
  }

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

  /** See NotificationQueue.notifyWithState. */
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
        const wait =
          this.pendingIds.get(p.id) ?? (key === undefined ? undefined : this.coalescing.writtenMergeTarget(key));
        if (wait && wait !== this.commits.batch) waits.add(wait);
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
        const duplicate = this.queued.has(target) || this.inFlight.has(target) || this.resolvedRecently.has(p.id);
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
    const batch = this.commits.current();
    for (const { key, value } of state) batch.writes.push({ op: 'state', key, value });
    const settled = Promise.all(outcomes.map((o) => (o instanceof Error ? o : o.catch((error: Error) => error))));
    await batch.done;
    return settled;
  }

  /** Queues now (in this turn's batch), or names the batch still being written that it must wait for first. */
  private place(id: string, explicitId: boolean, normalized: NormalizedNotification): Promise<NotifyResult> | Batch {
    const pending = this.pendingIds.get(id);
    if (pending) return pending;
    const target = this.aliases.get(id) ?? id;
    if (this.queued.has(target) || this.inFlight.has(target))
      return Promise.resolve({ id: target, coalesced: target !== id });
    if (this.resolvedRecently.has(id)) return Promise.resolve({ id, coalesced: false, alreadyResolved: true });
    if (normalized.dedupeKey === undefined) return this.insert(id, normalized);
    const written = this.coalescing.writtenMergeTarget(normalized.dedupeKey);
    if (written) return written;
    return this.coalescing.coalesce(id, explicitId, normalized) ?? this.insert(id, normalized);
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
      this.statistics.countRejected(parseSeverityName(severity) ?? UNKNOWN_SEVERITY, 'invalid');
      throw error;
    }
  }

  private insert(id: string, normalized: NormalizedNotification): Promise<NotifyResult> {
    const { severity, dedupeKey, encoded } = normalized;
    this.eviction.makeRoom(severity, 1, encoded.length);
    const batch = this.commits.current();
    const record: QueueRecord = {
      id,
      seq: this.index.nextSeq++,
      severity,
      bytes: encoded.length,
      dedupeKey,
      createdAt: this.clock.now(),
      attempts: 0,
      occurrences: normalized.occurrences,
    };
    const pendingWrites = this.pending;
    const pending: PendingInsert = { id, record, write: { op: 'insert', record, payload: encoded }, batch };
    batch.writes.push(pending.write);
    batch.inserts[severity]++;
    this.pendingIds.set(id, batch);
    pendingWrites.inserts.set(id, pending);
    if (dedupeKey !== undefined) pendingWrites.insertsByDedupeKey.set(dedupeKey, pending);
    pendingWrites.count++;
    pendingWrites.bytes += record.bytes;

    const settle = () => {
      this.pendingIds.delete(id);
      if (pending.evicted) return; // makeRoom has let go of it already
      pendingWrites.inserts.delete(id);
      if (dedupeKey !== undefined && pendingWrites.insertsByDedupeKey.get(dedupeKey) === pending)
        pendingWrites.insertsByDedupeKey.delete(dedupeKey);
      pendingWrites.count--;
      pendingWrites.bytes -= record.bytes;
    };
    batch.onCommit.push(() => {
      settle();
      if (pending.evicted) return;
      this.index.reinstate(id, this.index.table.add(record));
    });
    batch.onFailure.push(settle);
    return batch.done.then(() => ({ id, coalesced: false }));
  }
}

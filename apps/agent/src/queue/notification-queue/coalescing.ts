import {
  encodeNotification,
  MAX_OCCURRENCES,
  NotificationProperty,
  SEVERITY_NAMES,
  type NormalizedNotification,
} from '@app/notification-model';
import type { NotifyResult } from './admission.js';
import type { Eviction } from './eviction.js';
import type { Batch, GroupCommit } from './group-commit.js';
import type { PendingInsert, PendingWrites } from './pending-writes.js';
import type { QueueIndex } from './queue-index.js';
import type { QueueStatistics } from './queue-statistics.js';

/**
 * Coalescing by opni_dedupe_key: a notification whose key matches a queued
 * entry (not in flight, never pushed) is merged into it — the newest content,
 * the higher severity, opni_occurrences added up — instead of queued anew,
 * and the client's own id is kept as an alias of that entry so its retries
 * stay idempotent.
 */
export class Coalescing {
  constructor(
    private readonly index: QueueIndex,
    private readonly pending: PendingWrites,
    private readonly commits: GroupCommit,
    private readonly eviction: Eviction,
    private readonly statistics: QueueStatistics,
  ) {}

  /**
   * The batch holding an uncommitted insert or merge of the entry that `key`
   * would merge into, when that batch has already gone to the store: a merge
   * cannot change writes that are written, so it waits for that batch.
   */
  writtenMergeTarget(key: string): Batch | undefined {
    const insert = this.pending.insertsByDedupeKey.get(key);
    if (insert) return insert.batch === this.commits.batch ? undefined : insert.batch;
    const targetId = this.index.byDedupeKey.get(key);
    const replace = targetId === undefined ? undefined : this.pending.replaces.get(targetId);
    return replace && replace.batch !== this.commits.batch ? replace.batch : undefined;
  }

  /** Merges into a queued entry with the same dedupe key; undefined when there is none to merge into. */
  coalesce(id: string, explicitId: boolean, normalized: NormalizedNotification): Promise<NotifyResult> | undefined {
    const key = normalized.dedupeKey!;
    const pendingInsert = this.pending.insertsByDedupeKey.get(key);
    if (pendingInsert) return this.coalesceIntoPending(id, explicitId, normalized, pendingInsert);

    const index = this.index;
    const pendingWrites = this.pending;
    const targetId = index.byDedupeKey.get(key);
    const target = targetId === undefined ? undefined : index.queued.getEntry(targetId);
    if (!target) return undefined;
    const slot = target.item;
    const base = pendingWrites.replaces.get(target.id) ?? {
      severity: index.table.severity(slot),
      occurrences: index.table.occurrences(slot),
      bytes: index.table.bytes(slot),
    };
    const severity = Math.max(base.severity, normalized.severity);
    const occurrences = Math.min(base.occurrences + normalized.occurrences, MAX_OCCURRENCES);
    const payload = mergedPayload(normalized, severity, occurrences);
    const delta = payload.length - base.bytes;
    if (delta > 0) this.eviction.makeRoom(severity, 0, delta, target.id);

    const batch = this.commits.current();
    let pending = pendingWrites.replaces.get(target.id);
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
      pendingWrites.replaces.set(target.id, pending);
      batch.writes.push(pending.write);
      const replace = pending;
      const originalBytes = base.bytes;
      batch.onCommit.push(() => {
        pendingWrites.replaces.delete(target.id);
        pendingWrites.bytes -= replace.bytes - originalBytes;
        const table = index.table;
        const queued = index.queued.getEntry(target.id);
        const flying = index.inFlight.get(target.id);
        // Queued, or taken by the push loop while this merge was being written (take waits for it).
        const slot =
          queued && queued.seq === target.seq
            ? queued.item
            : flying !== undefined && table.seq(flying) === target.seq
              ? flying
              : undefined;
        if (slot === undefined) return; // resolved or evicted meanwhile
        const was = table.severity(slot);
        index.bytes += replace.bytes - table.bytes(slot);
        index.countBySeverity[was]--;
        index.countBySeverity[replace.severity]++;
        table.setSeverity(slot, replace.severity);
        table.setOccurrences(slot, replace.occurrences);
        table.setBytes(slot, replace.bytes);
        if (slot === queued?.item) {
          index.queuedBySeverity[was]--;
          index.queuedBySeverity[replace.severity]++;
          index.queued.update(target.id, replace.severity, slot);
        }
      });
      batch.onFailure.push(() => {
        pendingWrites.replaces.delete(target.id);
        pendingWrites.bytes -= replace.bytes - originalBytes;
      });
    }
    pendingWrites.bytes += delta;
    batch.onCommit.push(() => this.statistics.countCoalesced(severity));
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
    const occurrences = Math.min(record.occurrences + normalized.occurrences, MAX_OCCURRENCES);
    const payload = mergedPayload(normalized, severity, occurrences);
    const delta = payload.length - record.bytes;
    if (delta > 0) this.eviction.makeRoom(severity, 0, delta, pending.id);
    this.pending.bytes += delta;
    batch.inserts[record.severity]--;
    batch.inserts[severity]++;
    Object.assign(record, { severity, occurrences, bytes: payload.length });
    write.payload = payload;
    batch.onCommit.push(() => this.statistics.countCoalesced(severity));
    this.addAlias(batch, id, explicitId, pending.id, record.seq);
    return batch.done.then(() => ({ id: pending.id, coalesced: true }));
  }

  /** Remembers a client's own id for an entry it was merged into, so its retries stay idempotent. */
  private addAlias(batch: Batch, alias: string, explicitId: boolean, id: string, seq: number): void {
    if (!explicitId || alias === id) return;
    batch.writes.push({ op: 'alias', alias, seq });
    const pendingIds = this.pending.ids;
    pendingIds.set(alias, batch);
    const settle = () => {
      if (pendingIds.get(alias) === batch) pendingIds.delete(alias);
    };
    batch.onCommit.push(() => {
      settle();
      if (this.index.queued.has(id) || this.index.inFlight.has(id)) this.index.remember(alias, id);
    });
    batch.onFailure.push(settle);
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

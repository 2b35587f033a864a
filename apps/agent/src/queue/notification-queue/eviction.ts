import type { LoggerService } from '@nestjs/common';
import { SEVERITY_NAMES } from '@app/notification-model';
import { ResourceExhaustedError } from '@app/runtime';
import type { QueueLimits } from '../queue-limits.js';
import type { GroupCommit } from './group-commit.js';
import type { PendingInsert, PendingWrites } from './pending-writes.js';
import type { IndexEntry, QueueIndex } from './queue-index.js';
import type { QueueStatistics } from './queue-statistics.js';

/** Keeps the queue within its bounds: what admission and coalescing call before they add entries or bytes. */
export class Eviction {
  constructor(
    private readonly index: QueueIndex,
    private readonly pending: PendingWrites,
    private readonly commits: GroupCommit,
    private readonly statistics: QueueStatistics,
    private readonly limits: QueueLimits,
    private readonly logger: LoggerService,
  ) {}

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
  makeRoom(severity: number, addCount: number, addBytes: number, keepId?: string): void {
    const { maxCount, maxBytes } = this.limits;
    const { index, pending: pendingWrites } = this;
    let count = index.count + pendingWrites.count + addCount;
    let bytes = index.bytes + pendingWrites.bytes + addBytes;
    if (count <= maxCount && bytes <= maxBytes) return;
    const name = SEVERITY_NAMES[severity];
    if (addBytes > maxBytes) {
      this.statistics.countRejected(name, 'full');
      throw new ResourceExhaustedError(
        `this ${name} notification needs ${addBytes} bytes, more than the whole queue may hold ` +
          `(AGENT_QUEUE_MAX_BYTES ${maxBytes}); not queued`,
      );
    }

    const queued = index.queued;
    const victims: IndexEntry[] = [];
    const pendingVictims = new Set<PendingInsert>();
    const pendingLeft = [...(this.commits.batch?.inserts ?? [0, 0, 0, 0])];
    /** Entries looked past while searching for victims, to be put back. */
    const setAside: IndexEntry[] = [];
    const putBack = (entries: IndexEntry[]) => entries.forEach((e) => queued.push(e.id, e.priority, e.item, e.seq));
    while (count > maxCount || bytes > maxBytes) {
      let least = queued.peekLeastEntry();
      while (least !== undefined && (least.id === keepId || pendingWrites.replaces.has(least.id))) {
        setAside.push(queued.popLeastEntry()!);
        least = queued.peekLeastEntry();
      }
      const below = Math.min(least?.priority ?? SEVERITY_NAMES.length, severity + 1);
      const pending = this.leastPendingInsert(below, pendingLeft, pendingVictims, keepId);
      if (!pending && (!least || least.priority > severity)) {
        putBack(setAside);
        putBack(victims);
        this.statistics.countRejected(name, 'full');
        throw new ResourceExhaustedError(
          `queue full (${index.count + pendingWrites.count} of ${maxCount} notifications, ${index.bytes + pendingWrites.bytes} of ${maxBytes} bytes): ` +
            `nothing less important than this ${name} notification can be evicted; not queued`,
        );
      }
      if (pending) {
        pendingVictims.add(pending);
        pendingLeft[pending.record.severity]--;
        count--;
        bytes -= pending.record.bytes;
      } else {
        queued.popLeast();
        victims.push(least!);
        count--;
        bytes -= index.table.bytes(least!.item);
      }
    }
    putBack(setAside);
    this.evict(victims, pendingVictims, name);
  }

  /** Writes the deletes of the chosen victims into the current batch; counted and logged once it commits. */
  private evict(victims: IndexEntry[], pendingVictims: Set<PendingInsert>, name: string): void {
    const { index, pending: pendingWrites } = this;
    const batch = this.commits.current();
    const victimAliases = victims.map((v) => index.aliasesOf.get(v.id) ?? []);
    for (const victim of victims) {
      index.queuedBySeverity[victim.priority]--;
      index.forget(victim.id, victim.item);
      batch.writes.push({ op: 'delete', seq: victim.seq });
    }
    // Not yet committed: inserted and deleted in the same transaction; its notify still answers OK.
    const pendingSeverities = [...pendingVictims].map((p) => p.record.severity);
    for (const victim of pendingVictims) {
      victim.evicted = true;
      batch.inserts[victim.record.severity]--;
      pendingWrites.inserts.delete(victim.id);
      const key = victim.record.dedupeKey;
      if (key !== undefined && pendingWrites.insertsByDedupeKey.get(key) === victim)
        pendingWrites.insertsByDedupeKey.delete(key);
      pendingWrites.count--;
      pendingWrites.bytes -= victim.record.bytes;
      batch.writes.push({ op: 'delete', seq: victim.record.seq });
    }
    batch.onCommit.push(() => {
      for (const victim of victims) index.table.release(victim.item);
      const severities = [...victims.map((v) => v.priority), ...pendingSeverities];
      for (const s of severities) this.statistics.countEvicted(SEVERITY_NAMES[s]);
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
        index.reinstate(victim.id, victim.item);
        for (const alias of victimAliases[i]) index.remember(alias, victim.id);
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
    const batch = this.commits.batch;
    if (!batch) return undefined;
    for (let severity = 0; severity < below; severity++) {
      if (left[severity] === 0) continue;
      // Map order is insertion (seq) order: the first one found is the oldest.
      for (const pending of this.pending.inserts.values()) {
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
}

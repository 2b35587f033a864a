import type { LoggerService } from '@nestjs/common';
import { NotificationProperty, SEVERITY_NAMES, withProperty } from '@app/notification-model';
import { alerting } from '@app/proto';
import type { QueueStore } from '../queue-store.js';
import type { Batch, GroupCommit } from './group-commit.js';
import type { PendingWrites } from './pending-writes.js';
import type { IndexEntry, QueueIndex } from './queue-index.js';
import type { QueueStatistics } from './queue-statistics.js';
import type { ResolvedIds } from './resolved-ids.js';

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

/**
 * What the push loop calls: take the most important entries (in flight until
 * resolved or requeued), resolve what the gateway stored, dead-letter what it
 * refused, purge on its request, and wait until something can be taken.
 */
export class PushSide {
  /** The push loop waiting for something to take. */
  private availableWaiters: (() => void)[] = [];

  constructor(
    private readonly index: QueueIndex,
    private readonly pending: PendingWrites,
    private readonly commits: GroupCommit,
    private readonly resolved: ResolvedIds,
    private readonly statistics: QueueStatistics,
    private readonly store: QueueStore,
    private readonly logger: LoggerService,
  ) {}

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
    if (this.pending.inserts.size > 0 && this.index.queued.size < max) await this.commits.idle();
    const table = this.index.table;
    const result: TakenNotification[] = [];
    while (result.length < max) {
      const taken = this.markInFlight(max - result.length);
      if (taken.length === 0) break;
      // A merge into one of these still being written: read its row once it is.
      const merging = new Set(taken.flatMap((t) => this.pending.replaces.get(t.id)?.batch ?? []));
      for (const batch of merging) await batch.done.catch(() => undefined);
      const payloads = await this.store.payloads(taken.map((t) => t.seq));
      for (const { id, item: slot, seq } of taken) {
        if (this.index.inFlight.get(id) !== slot) continue; // resolved while reading
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
        this.commits.current().writes.push({ op: 'attempts', seq, attempts });
        notification.properties[NotificationProperty.uuid] = id;
        const encoded = withProperty(payload, NotificationProperty.uuid, id);
        result.push({ id, severity: table.severity(slot), notification, encoded, attempt: attempts });
      }
    }
    return result;
  }

  /** Moves up to `max` of the most important queued entries in flight. */
  private markInFlight(max: number): IndexEntry[] {
    const index = this.index;
    const taken: IndexEntry[] = [];
    while (taken.length < max) {
      const next = index.queued.popEntry();
      if (!next) break;
      index.queuedBySeverity[next.priority]--;
      index.inFlight.set(next.id, next.item);
      const key = index.table.dedupeKey(next.item);
      if (key !== undefined && index.byDedupeKey.get(key) === next.id) index.byDedupeKey.delete(key); // no merging into what is being sent
      taken.push(next);
    }
    return taken;
  }

  private async quarantine(id: string, slot: number, reason: string): Promise<void> {
    const seq = this.index.table.seq(slot);
    this.index.inFlight.delete(id);
    this.index.forget(id, slot);
    this.index.table.release(slot);
    this.statistics.corrupt++;
    this.logger.error({ event: 'queue-entry-quarantined', id, reason }, `queue entry ${id} quarantined: ${reason}`);
    await this.store.quarantine(seq, reason);
  }

  /**
   * Deletes an entry the gateway has durably stored. False when the id is not
   * queued. When the delete cannot be stored it rejects and the entry stays.
   */
  async resolve(id: string): Promise<boolean> {
    await this.pending.ids.get(id)?.done.catch(() => undefined);
    const aliases = this.index.aliasesOf.get(id) ?? [];
    const batch = this.delete(id);
    if (!batch) return false;
    if (this.resolved.active) this.resolved.write(batch, [id, ...aliases]);
    await batch.done;
    return true;
  }

  /**
   * Deletes every entry, queued or in flight, in one transaction: the gateway
   * asked for it (alerting uninstalled with deleteStoredData). Notifications
   * still being committed when it is called go too; those accepted after it
   * resolved stay. Counted (stats().purged); the caller logs it.
   */
  async purge(): Promise<number> {
    await this.commits.idle(); // what is being committed is in the index by then
    const ids = [...this.index.inFlight.keys(), ...[...this.index.queued.entries()].map((entry) => entry.id)];
    let batch: Batch | undefined;
    for (const id of ids) batch = this.delete(id) ?? batch;
    if (!batch) return 0;
    await batch.done;
    this.statistics.purged += ids.length;
    return ids.length;
  }

  /** Takes the entry out of the index (or the in-flight set) and writes its delete; undefined when not queued. */
  private delete(id: string): Batch | undefined {
    const index = this.index;
    const flying = index.inFlight.get(id);
    const slot = flying ?? index.queued.get(id);
    if (slot === undefined) return undefined;
    const aliases = index.aliasesOf.get(id) ?? [];
    if (flying !== undefined) {
      index.inFlight.delete(id);
    } else {
      index.queued.remove(id);
      index.queuedBySeverity[index.table.severity(slot)]--;
    }
    index.forget(id, slot);
    const batch = this.commits.current();
    batch.writes.push({ op: 'delete', seq: index.table.seq(slot) });
    batch.onCommit.push(() => index.table.release(slot));
    batch.onFailure.push(() => {
      // Still stored: keep it where it was, in flight or queued in its place.
      if (flying !== undefined) {
        index.inFlight.set(id, slot);
        index.tally(slot, 1);
      } else {
        index.reinstate(id, slot);
      }
      for (const alias of aliases) index.remember(alias, id);
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
    await this.pending.ids.get(id)?.done.catch(() => undefined);
    const index = this.index;
    const slot = index.inFlight.get(id);
    if (slot === undefined) return false;
    const seq = index.table.seq(slot);
    const severity = SEVERITY_NAMES[index.table.severity(slot)];
    await this.store.deadLetter(seq, reason);
    if (index.inFlight.get(id) !== slot) return true; // resolved meanwhile: nothing left to uncount
    index.inFlight.delete(id);
    index.forget(id, slot);
    index.table.release(slot);
    this.statistics.countDeadLettered(severity);
    this.logger.error(
      { event: 'queue-entry-dead-lettered', id, severity, reason },
      `the gateway refused notification ${id} (${severity}): ${reason}; moved to the dead-letter table`,
    );
    return true;
  }

  /** Resolves once an entry can be taken (at once if one can now). */
  whenAvailable(): Promise<void> {
    if (this.index.queued.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.availableWaiters.push(resolve));
  }

  /** Wakes the push loop when something can be taken (after a batch settles, or a requeue). */
  signalAvailable(): void {
    if (this.index.queued.size === 0 || this.availableWaiters.length === 0) return;
    const waiters = this.availableWaiters;
    this.availableWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Returns in-flight entries (all, or these ids) to the queue in their original order. */
  requeue(ids?: Iterable<string>): number {
    const index = this.index;
    const table = index.table;
    let returned = 0;
    for (const id of ids ?? [...index.inFlight.keys()]) {
      const slot = index.inFlight.get(id);
      if (slot === undefined) continue;
      index.inFlight.delete(id);
      const severity = table.severity(slot);
      index.queued.push(id, severity, slot, table.seq(slot));
      index.queuedBySeverity[severity]++;
      // Not a merge target again: the gateway may have stored it already, and it keeps the first version of an
      // id (ingest is exactly-once by id), so occurrences merged into it now would never show there.
      returned++;
    }
    this.signalAvailable();
    return returned;
  }
}

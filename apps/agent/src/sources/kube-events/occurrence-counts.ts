import type { NotificationQueue, QueueState } from '../../queue/notification-queue.js';

/** How long an event's last count is remembered after it was last seen (the API server keeps events 1 h by default). */
export const OCCURRENCE_RETENTION_MS = 3 * 60 * 60 * 1000;
/** The most events remembered at once; beyond it the least recently seen are forgotten first. */
export const MAX_REMEMBERED_EVENTS = 100_000;

interface Seen {
  count: number;
  at: number;
}

/**
 * The count each event had when it was last queued, kept beside the
 * watcher's cursor and committed in the same transaction. An event's count
 * can rise by more than one between two sightings (an events.k8s.io series is
 * updated in batches; a relist after a 410 sees only the latest count), and
 * the notification must then stand for every occurrence since: its weight,
 * sent as opni_occurrences, is the count minus the count last seen.
 *
 * A forgotten event (not seen for OCCURRENCE_RETENTION_MS, or pushed out by
 * MAX_REMEMBERED_EVENTS) weighs its whole count again when seen anew; the
 * queue's memory of resolved ids still keeps its exact id from being resent.
 */
export class OccurrenceCounts {
  /** Least recently seen first (a sighting moves an event to the end). */
  private readonly seen = new Map<string, Seen>();
  /** Events whose record changed since the last takeWrites, and records forgotten since. */
  private readonly changed = new Set<string>();

  private constructor(
    private readonly prefix: string,
    private readonly retentionMs: number,
    private readonly maxEvents: number,
  ) {}

  /** The records stored under `scope` (one per watcher), oldest sighting first. */
  static async load(
    queue: Pick<NotificationQueue, 'readStatesUnder'>,
    scope: string,
    limits: { retentionMs?: number; maxEvents?: number } = {},
  ): Promise<OccurrenceCounts> {
    const prefix = `kube-events/occurrences/${scope}/`;
    const counts = new OccurrenceCounts(
      prefix,
      limits.retentionMs ?? OCCURRENCE_RETENTION_MS,
      limits.maxEvents ?? MAX_REMEMBERED_EVENTS,
    );
    const stored: [string, Seen][] = [];
    for (const [key, value] of await queue.readStatesUnder(prefix)) {
      const [count, at] = value.split(' ').map(Number);
      if (Number.isSafeInteger(count) && count > 0 && Number.isFinite(at))
        stored.push([key.slice(prefix.length), { count, at }]);
      else counts.changed.add(key.slice(prefix.length)); // unreadable: forgotten with the next commit
    }
    stored.sort((a, b) => a[1].at - b[1].at);
    for (const [uid, seen] of stored) counts.seen.set(uid, seen);
    return counts;
  }

  get size(): number {
    return this.seen.size;
  }

  /**
   * How many occurrences the event with `uid` at `count` adds: its whole count
   * when first seen, the rise since it was last seen, 0 when nothing new
   * (seen again after a relist or a restart).
   */
  weigh(uid: string, count: number, now: number): number {
    const last = this.seen.get(uid);
    if (last && count <= last.count) return 0;
    this.seen.delete(uid);
    this.seen.set(uid, { count, at: now });
    this.changed.add(uid);
    return last ? count - last.count : count;
  }

  /** The state writes of what changed since the last call, after forgetting what is too old or too many. */
  takeWrites(now: number): QueueState[] {
    for (const [uid, { at }] of this.seen) {
      if (at > now - this.retentionMs && this.seen.size <= this.maxEvents) break;
      this.seen.delete(uid);
      this.changed.add(uid);
    }
    const writes: QueueState[] = [];
    for (const uid of this.changed) {
      const seen = this.seen.get(uid);
      writes.push({ key: this.prefix + uid, value: seen ? `${seen.count} ${seen.at}` : null });
    }
    this.changed.clear();
    return writes;
  }
}

import { SEVERITY_NAMES } from '@app/notification-model';
import type { CommitStats, GroupCommit } from './group-commit.js';
import type { QueueIndex } from './queue-index.js';

export type RejectReason = 'invalid' | 'full';

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

/** The queue's counters since start, and the snapshot of them and of the index that stats() answers. */
export class QueueStatistics {
  private readonly evicted = new Map<string, number>();
  private readonly rejected = new Map<string, Record<RejectReason, number>>();
  private readonly coalesced = new Map<string, number>();
  private readonly deadLettered = new Map<string, number>();
  corrupt = 0;
  purged = 0;

  constructor(
    private readonly index: QueueIndex,
    private readonly commits: GroupCommit,
  ) {}

  countRejected(severity: string, reason: RejectReason): void {
    const counts = this.rejected.get(severity) ?? { invalid: 0, full: 0 };
    counts[reason]++;
    this.rejected.set(severity, counts);
  }

  countEvicted(severity: string): void {
    this.evicted.set(severity, (this.evicted.get(severity) ?? 0) + 1);
  }

  countCoalesced(severity: number): void {
    const name = SEVERITY_NAMES[severity];
    this.coalesced.set(name, (this.coalesced.get(name) ?? 0) + 1);
  }

  countDeadLettered(severity: string): void {
    this.deadLettered.set(severity, (this.deadLettered.get(severity) ?? 0) + 1);
  }

  depth(): Record<string, number> {
    return Object.fromEntries(SEVERITY_NAMES.map((name, severity) => [name, this.index.countBySeverity[severity]]));
  }

  /** The oldest entry's creation time: the head of each severity's lane, and what is in flight. */
  private oldestCreatedAt(): number | undefined {
    const { queued, queuedBySeverity, table, inFlight } = this.index;
    let oldest: number | undefined;
    let rank = 0;
    for (let severity = 3; severity >= 0; severity--) {
      if (queuedBySeverity[severity] === 0) continue;
      const head = queued.at(rank)!;
      oldest = Math.min(oldest ?? Infinity, table.createdAt(head.item));
      rank += queuedBySeverity[severity];
    }
    for (const slot of inFlight.values()) oldest = Math.min(oldest ?? Infinity, table.createdAt(slot));
    return oldest;
  }

  stats(): QueueStats {
    return {
      count: this.index.count,
      bytes: this.index.bytes,
      inFlight: this.index.inFlight.size,
      depth: this.depth(),
      oldestCreatedAt: this.oldestCreatedAt(),
      evicted: Object.fromEntries(this.evicted),
      rejected: Object.fromEntries(this.rejected),
      coalesced: Object.fromEntries(this.coalesced),
      corrupt: this.corrupt,
      deadLettered: Object.fromEntries(this.deadLettered),
      purged: this.purged,
      commits: this.commits.stats(),
    };
  }
}

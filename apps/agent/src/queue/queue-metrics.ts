import { Inject, Injectable } from '@nestjs/common';
import { SEVERITY_NAMES } from '@app/notification-model';
import { Counter, Gauge, Registry } from 'prom-client';
import { NotificationQueue, type RejectReason } from './notification-queue.js';

/**
 * The queue's Prometheus metrics, read from NotificationQueue.stats() at
 * scrape time so the queue keeps one set of numbers (also used for health).
 */
@Injectable()
export class QueueMetrics {
  constructor(@Inject(Registry) registry: Registry, queue: NotificationQueue) {
    const stats = () => queue.stats();
    new Gauge({
      name: 'agent_queue_depth',
      help: 'Notifications queued (in flight included), by severity.',
      labelNames: ['severity'],
      registers: [registry],
      collect() {
        for (const [severity, count] of Object.entries(stats().depth)) this.set({ severity }, count);
      },
    });
    new Gauge({
      name: 'agent_queue_bytes',
      help: 'Payload bytes queued.',
      registers: [registry],
      collect() {
        this.set(stats().bytes);
      },
    });
    new Gauge({
      name: 'agent_queue_in_flight',
      help: 'Notifications pushed to the gateway and not yet resolved.',
      registers: [registry],
      collect() {
        this.set(stats().inFlight);
      },
    });
    new Gauge({
      name: 'agent_queue_oldest_age_seconds',
      help: 'Age of the oldest queued notification (0 when empty).',
      registers: [registry],
      collect() {
        const oldest = stats().oldestCreatedAt;
        this.set(oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      },
    });
    const perSeverity = (name: string, help: string, pick: (s: ReturnType<typeof stats>) => Record<string, number>) =>
      new Counter({
        name,
        help,
        labelNames: ['severity'],
        registers: [registry],
        collect() {
          const values = pick(stats());
          this.reset();
          for (const severity of SEVERITY_NAMES) this.inc({ severity }, values[severity] ?? 0);
        },
      });
    perSeverity('agent_queue_evicted_total', 'Notifications evicted to admit more important ones.', (s) => s.evicted);
    perSeverity(
      'agent_queue_coalesced_total',
      'Notifications merged into a queued one with the same dedupe key.',
      (s) => s.coalesced,
    );
    perSeverity(
      'agent_queue_dead_lettered_total',
      'Notifications the gateway refused as invalid, moved to the dead-letter table (GET /api/v1/queue/dead-letters).',
      (s) => s.deadLettered,
    );
    new Counter({
      name: 'agent_queue_rejected_total',
      help: 'Notify calls refused: reason "invalid" (bad input) or "full" (nothing less important to evict).',
      labelNames: ['severity', 'reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [severity, reasons] of Object.entries(stats().rejected)) {
          for (const [reason, count] of Object.entries(reasons))
            this.inc({ severity, reason: reason as RejectReason }, count);
        }
      },
    });
    // Totals since start: each counter's value, then its help text.
    const totals: Record<string, (s: ReturnType<typeof stats>) => number> = {
      agent_queue_corrupt_total: (s) => s.corrupt,
      agent_queue_commits_total: (s) => s.commits.transactions,
      agent_queue_commit_writes_total: (s) => s.commits.writes,
      agent_queue_commit_seconds_total: (s) => s.commits.seconds,
      agent_queue_fsyncs_total: (s) => s.commits.syncs,
      agent_queue_purged_total: (s) => s.purged,
    };
    const help: Record<keyof typeof totals, string> = {
      agent_queue_corrupt_total:
        'Stored notifications that could not be read and were quarantined (or unreadable queue files moved aside).',
      agent_queue_commits_total:
        'Transactions committed to the queue file: one per event-loop turn that changed the queue (group commit).',
      agent_queue_commit_writes_total: 'Changes (inserts, merges, deletes, ...) in those transactions.',
      agent_queue_commit_seconds_total:
        'Time from handing each transaction to the store until it was durable, summed: divided by ' +
        'agent_queue_commits_total, how long a Notify waits for durability on average.',
      agent_queue_fsyncs_total:
        'fdatasyncs of the queue WAL (fsync durability; 0 with os); transactions made while one runs share the next.',
      agent_queue_purged_total:
        'Queued notifications deleted because the gateway asked (alerting uninstalled with deleteStoredData).',
    };
    for (const [name, pick] of Object.entries(totals))
      new Counter({
        name,
        help: help[name],
        registers: [registry],
        collect() {
          this.reset();
          this.inc(pick(stats()));
        },
      });
  }
}

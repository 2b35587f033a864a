import { Inject, Injectable } from '@nestjs/common';
import { parseSeverityName } from '@app/notification-model';
import { Counter, Registry } from 'prom-client';

/** Counters of what agents pushed, per cluster and severity. */
@Injectable()
export class IngestMetrics {
  private readonly counter: Counter<'cluster' | 'severity' | 'outcome'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.counter = new Counter({
      name: 'gateway_notifications_total',
      help:
        'Notifications pushed by agents, by cluster, severity and outcome: received (valid), stored (new), ' +
        'deduplicated (already stored: a retry), rejected (invalid; the agent dead-letters it).',
      labelNames: ['cluster', 'severity', 'outcome'],
      registers: [registry],
    });
  }

  received(cluster: string, severity: string): void {
    this.counter.inc({ cluster, severity, outcome: 'received' });
  }

  stored(cluster: string, severity: string): void {
    this.counter.inc({ cluster, severity, outcome: 'stored' });
  }

  deduplicated(cluster: string, severity: string): void {
    this.counter.inc({ cluster, severity, outcome: 'deduplicated' });
  }

  /** `severity` as the agent sent it; anything that is not a severity name counts as "unknown". */
  rejected(cluster: string, severity: string | undefined): void {
    this.counter.inc({ cluster, severity: parseSeverityName(severity ?? 'Info') ?? 'unknown', outcome: 'rejected' });
  }
}

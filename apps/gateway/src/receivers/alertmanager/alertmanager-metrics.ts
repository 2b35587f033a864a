import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { CLOCK, type Clock } from '@app/runtime';
import { registerPerTargetMetrics } from '../delivery/per-target-metrics.js';
import { ReceiversService, type AlertmanagerStatus } from '../receivers.service.js';
import { lagSeconds } from './alertmanager-view.js';

/**
 * The Alertmanager targets' metrics, read at scrape time from the deliveries
 * (the numbers GET /api/v1/alertmanagers shows). Counters count since the
 * process started.
 */
@Injectable()
export class AlertmanagerMetrics {
  constructor(@Inject(Registry) registry: Registry, receivers: ReceiversService, @Inject(CLOCK) clock: Clock) {
    const statuses = () => receivers.alertmanagerStatuses();
    registerPerTargetMetrics<AlertmanagerStatus>(registry, 'target', statuses, {
      counters: [
        [
          'gateway_alertmanager_notifications_sent_total',
          'Notifications accepted by at least one Alertmanager of the target.',
          (s) => s.counts.delivered,
        ],
        [
          'gateway_alertmanager_notifications_failed_total',
          'Notifications the target refused (e.g. HTTP 400 for an invalid label): dead-lettered, see /api/v1/alertmanagers.',
          (s) => s.counts.undeliverable,
        ],
        [
          'gateway_alertmanager_notifications_expired_total',
          'Notifications not sent because their lifetime had passed before they could be delivered.',
          (s) => s.counts.expired,
        ],
        [
          'gateway_alertmanager_retries_total',
          'Batches that failed on every Alertmanager of the target and were retried after a backoff.',
          (s) => s.counts.retries,
        ],
      ],
      gauges: [
        [
          'gateway_alertmanager_backlog',
          "Stored notifications (by seq) past the target's cursor: not yet delivered or passed over.",
          (s) => Number(s.backlog),
        ],
        [
          'gateway_alertmanager_lag_seconds',
          'Age of the oldest notification the target has not yet done with (0 when caught up).',
          (s) => lagSeconds(s, clock.now()),
        ],
        [
          'gateway_alertmanager_consecutive_failures',
          'Failed batches in a row on every Alertmanager of the target (0 when healthy).',
          (s) => s.consecutiveFailures,
        ],
      ],
    });
    new Gauge({
      name: 'gateway_alertmanager_peer_up',
      help: 'Whether the last POST to this Alertmanager succeeded (1) or failed (0); absent before the first.',
      labelNames: ['target', 'peer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const status of statuses())
          for (const peer of status.peers)
            if (peer.up !== undefined) this.set({ target: status.config.name, peer: peer.url }, peer.up ? 1 : 0);
      },
    });
  }
}

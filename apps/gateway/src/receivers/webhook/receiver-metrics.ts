import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { registerPerTargetMetrics } from '../delivery/per-target-metrics.js';
import type { ReceiverStatus } from '../delivery/receiver-delivery.js';
import { ReceiversService } from '../receivers.service.js';

/**
 * The receivers' Prometheus metrics, read from ReceiversService.statuses() at
 * scrape time so that the deliveries keep one set of numbers (also shown by
 * GET /api/v1/receivers). Counters count since the process started.
 */
@Injectable()
export class ReceiverMetrics {
  constructor(@Inject(Registry) registry: Registry, receivers: ReceiversService) {
    const statuses = () => receivers.statuses();
    new Counter({
      name: 'gateway_receiver_deliveries_total',
      help: 'POSTs to webhook receivers by outcome: "success" (2xx) or "failure" (network error, timeout, non-2xx).',
      labelNames: ['receiver', 'outcome'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { config, counts } of statuses()) {
          this.inc({ receiver: config.name, outcome: 'success' }, counts.successes);
          this.inc({ receiver: config.name, outcome: 'failure' }, counts.failures);
        }
      },
    });
    registerPerTargetMetrics<ReceiverStatus>(registry, 'receiver', statuses, {
      counters: [
        [
          'gateway_receiver_notifications_delivered_total',
          'Notifications delivered to webhook receivers (acknowledged with a 2xx).',
          (status) => status.counts.delivered,
        ],
        [
          'gateway_receiver_notifications_dead_lettered_total',
          'Notifications given up on after maxAttempts rejections by a webhook receiver (see the receivers API).',
          (status) => status.counts.undeliverable,
        ],
      ],
      gauges: [
        [
          'gateway_receiver_backlog',
          "Stored notifications (by seq) past the webhook receiver's cursor: not yet delivered or passed over.",
          (status) => Number(status.backlog),
        ],
        [
          'gateway_receiver_consecutive_failures',
          'Failed POSTs to the webhook receiver since its last success (0 when healthy).',
          (status) => status.consecutiveFailures,
        ],
        [
          'gateway_receiver_last_success_timestamp_seconds',
          'When the webhook receiver last acknowledged a delivery (Unix time; 0 if never).',
          (status) => (status.progress.lastSuccessAt?.getTime() ?? 0) / 1000,
        ],
      ],
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
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
    const counterPerReceiver = (value: (status: ReceiverStatus) => number) =>
      function (this: Counter<'receiver'>) {
        this.reset();
        for (const status of statuses()) this.inc({ receiver: status.config.name }, value(status));
      };
    const gaugePerReceiver = (value: (status: ReceiverStatus) => number) =>
      function (this: Gauge<'receiver'>) {
        this.reset();
        for (const status of statuses()) this.set({ receiver: status.config.name }, value(status));
      };

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
    new Counter({
      name: 'gateway_receiver_notifications_delivered_total',
      help: 'Notifications delivered to webhook receivers (acknowledged with a 2xx).',
      labelNames: ['receiver'],
      registers: [registry],
      collect: counterPerReceiver((status) => status.counts.delivered),
    });
    new Counter({
      name: 'gateway_receiver_notifications_dead_lettered_total',
      help: 'Notifications given up on after maxAttempts rejections by a webhook receiver (see the receivers API).',
      labelNames: ['receiver'],
      registers: [registry],
      collect: counterPerReceiver((status) => status.counts.deadLettered),
    });
    new Gauge({
      name: 'gateway_receiver_backlog',
      help: "Stored notifications (by seq) past the webhook receiver's cursor: not yet delivered or passed over.",
      labelNames: ['receiver'],
      registers: [registry],
      collect: gaugePerReceiver((status) => Number(status.backlog)),
    });
    new Gauge({
      name: 'gateway_receiver_consecutive_failures',
      help: 'Failed POSTs to the webhook receiver since its last success (0 when healthy).',
      labelNames: ['receiver'],
      registers: [registry],
      collect: gaugePerReceiver((status) => status.consecutiveFailures),
    });
    new Gauge({
      name: 'gateway_receiver_last_success_timestamp_seconds',
      help: 'When the webhook receiver last acknowledged a delivery (Unix time; 0 if never).',
      labelNames: ['receiver'],
      registers: [registry],
      collect: gaugePerReceiver((status) => (status.progress.lastSuccessAt?.getTime() ?? 0) / 1000),
    });
  }
}

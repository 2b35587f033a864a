import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { ReceiversService } from '../receivers.service.js';

/**
 * gateway_delivery_leases_held: which replica delivers each target. Each
 * replica reports 1 for the targets it delivers and 0 for those another
 * replica delivers; summed over the replicas, each target should show 1.
 */
@Injectable()
export class DeliveryLeaseMetrics {
  constructor(@Inject(Registry) registry: Registry, receivers: ReceiversService) {
    new Gauge({
      name: 'gateway_delivery_leases_held',
      help: 'Whether this replica holds the delivery lease of the target (1) and so delivers it, or another replica does (0). Always 1 with GATEWAY_STORAGE=sqlite.',
      labelNames: ['receiver', 'kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { receiver, kind, held } of receivers.leaseHolds()) this.set({ receiver, kind }, held ? 1 : 0);
      },
    });
  }
}

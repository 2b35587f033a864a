import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { GatewayConnection } from '../session/gateway-connection.js';

export type PushOutcome = 'accepted' | 'refused' | 'failed';

/** The agent's side of the session: connection state, pushes by outcome, resolves. */
@Injectable()
export class PushMetrics {
  private readonly pushes: Counter<'outcome'>;
  private readonly resolves: Counter;

  constructor(@Inject(Registry) registry: Registry, connection: GatewayConnection) {
    new Gauge({
      name: 'agent_gateway_connected',
      help: '1 while the session to the gateway is established, else 0.',
      registers: [registry],
      collect() {
        this.set(connection.state === 'connected' ? 1 : 0);
      },
    });
    this.pushes = new Counter({
      name: 'agent_pushes_total',
      help: 'Push calls to the gateway by outcome: accepted, refused (invalid: dead-lettered), failed (retried).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.resolves = new Counter({
      name: 'agent_resolved_total',
      help: 'Notifications the gateway resolved (stored durably), deleted from the queue.',
      registers: [registry],
    });
  }

  pushed(outcome: PushOutcome): void {
    this.pushes.inc({ outcome });
  }

  resolved(): void {
    this.resolves.inc();
  }
}

import { Controller } from '@nestjs/common';
import { core, type wkt } from '@app/proto';
import { control } from '@app/proto';
import { GatewayConnection } from '../gateway/gateway-connection.js';
import { NotificationQueue } from '../queue/notification-queue.js';

const sum = (values: Record<string, number> | Record<string, Record<string, number>>): number =>
  Object.values(values).reduce<number>((total, v) => total + (typeof v === 'number' ? v : sum(v)), 0);

/** control.Health: the agent's health for the gateway, with the queue and the session summarised in annotations. */
@Controller()
@control.HealthControllerMethods()
export class HealthController implements control.HealthController {
  constructor(
    private readonly queue: NotificationQueue,
    private readonly gateway: GatewayConnection,
  ) {}

  getHealth(_request: wkt.Empty): core.Health {
    const stats = this.queue.stats();
    const annotations: Record<string, string> = {
      'queue.count': String(stats.count),
      'queue.bytes': String(stats.bytes),
      'queue.inFlight': String(stats.inFlight),
      'queue.oldestAgeSeconds': String(
        stats.oldestCreatedAt === undefined ? 0 : Math.max(0, Math.round((Date.now() - stats.oldestCreatedAt) / 1000)),
      ),
      'queue.evicted': String(sum(stats.evicted)),
      'queue.rejected': String(sum(stats.rejected)),
      'queue.corrupt': String(stats.corrupt),
      'queue.deadLettered': String(sum(stats.deadLettered)),
      'gateway.state': this.gateway.state,
    };
    for (const [severity, count] of Object.entries(stats.depth)) annotations[`queue.depth.${severity}`] = String(count);
    return { timestamp: new Date(), ready: true, conditions: [], annotations };
  }
}

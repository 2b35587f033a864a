import { Injectable } from '@nestjs/common';
import { ConditionTracker } from '@app/capability';
import type { core } from '@app/proto';
import { GatewayConnection } from '../uplink/session/gateway-connection.js';
import { NotificationQueue } from '../queue/notification-queue.js';
import { KubeEventsSource } from '../sources/kube-events/kube-events-source.js';

/** The condition reported while the event source's service account may not read events. */
export const KUBE_EVENTS_FORBIDDEN = 'Kubernetes Events Forbidden';

const sum = (values: Record<string, number> | Record<string, Record<string, number>>): number =>
  Object.values(values).reduce<number>((total, v) => total + (typeof v === 'number' ? v : sum(v)), 0);

/**
 * The agent's health (control.Health): ready iff it has no conditions (e.g.
 * "Backend Disabled" while alerting is not installed, "Config Sync Failure"),
 * timestamped with their last change, with the queue and the session
 * summarised in annotations.
 */
@Injectable()
export class AgentHealth {
  constructor(
    private readonly conditions: ConditionTracker,
    private readonly queue: NotificationQueue,
    private readonly gateway: GatewayConnection,
    private readonly kubeEvents: KubeEventsSource,
  ) {}

  health(): core.Health {
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
      'queue.purged': String(stats.purged),
      'gateway.state': this.gateway.state,
    };
    const source = this.kubeEvents.status();
    annotations['kubeEvents.state'] = source.state;
    if (source.detail) annotations['kubeEvents.detail'] = source.detail;
    const conditions = this.conditions.conditions();
    if (source.state === 'forbidden') conditions.push(KUBE_EVENTS_FORBIDDEN);
    for (const [severity, count] of Object.entries(stats.depth)) annotations[`queue.depth.${severity}`] = String(count);
    return {
      timestamp: this.conditions.lastChange,
      ready: conditions.length === 0,
      conditions,
      annotations,
    };
  }
}

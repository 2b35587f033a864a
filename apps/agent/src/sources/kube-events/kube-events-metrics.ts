import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why an event was not turned into a notification (agent_kube_events_dropped_total{reason}). */
export type DropReason = 'rule' | 'min-type' | 'queue-full' | 'queue-invalid';

/** What was wrong with a line or object the API server sent (agent_kube_events_invalid_total{reason}). */
export type BadInputReason =
  | 'malformed'
  | 'missing-involved-object'
  | 'unknown-type'
  | 'garbage-line'
  | 'oversized-line'
  | 'unknown-watch-type'
  | 'error-status'
  | 'truncated';

export const SOURCE_STATES = [
  'disabled',
  'starting',
  'listing',
  'relisting',
  'watching',
  'reconnecting',
  'forbidden',
] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

/** The Kubernetes event source's Prometheus metrics. */
@Injectable()
export class KubeEventsMetrics {
  readonly seen: Counter<'type'>;
  readonly queued: Counter;
  readonly coalesced: Counter;
  readonly duplicates: Counter;
  readonly dropped: Counter<'reason'>;
  readonly invalid: Counter<'reason'>;
  readonly relists: Counter;
  readonly watchRestarts: Counter<'reason'>;
  readonly lag: Histogram;
  private readonly state: Gauge<'state'>;

  constructor(@Inject(Registry) registry: Registry) {
    const registers = [registry];
    this.seen = new Counter({
      name: 'agent_kube_events_seen_total',
      help: 'Kubernetes events read from lists and watches (replays after a relist or a restart included), by watch event type.',
      labelNames: ['type'],
      registers,
    });
    this.queued = new Counter({
      name: 'agent_kube_events_queued_total',
      help: 'Kubernetes events turned into queued notifications (new entries and merges into queued ones).',
      registers,
    });
    this.coalesced = new Counter({
      name: 'agent_kube_events_coalesced_total',
      help: 'Kubernetes events merged into a queued notification with the same involved object and reason.',
      registers,
    });
    this.duplicates = new Counter({
      name: 'agent_kube_events_duplicates_total',
      help: 'Kubernetes events seen again (relist, restart) at a count already queued or delivered: not sent twice.',
      registers,
    });
    this.dropped = new Counter({
      name: 'agent_kube_events_dropped_total',
      help: 'Kubernetes events not queued: by a rule, below the minimum type, or refused by the queue (full, invalid).',
      labelNames: ['reason'],
      registers,
    });
    this.invalid = new Counter({
      name: 'agent_kube_events_invalid_total',
      help: 'Bad input from the API server (malformed objects, garbage lines, …), skipped or repaired; the watch goes on.',
      labelNames: ['reason'],
      registers,
    });
    this.relists = new Counter({
      name: 'agent_kube_events_relists_total',
      help: 'Lists made because the stored resourceVersion had expired (410 Gone).',
      registers,
    });
    this.watchRestarts = new Counter({
      name: 'agent_kube_events_watch_restarts_total',
      help: 'Watches opened again: after the server ended one (timeout), or after an error (with backoff).',
      labelNames: ['reason'],
      registers,
    });
    this.lag = new Histogram({
      name: 'agent_kube_events_lag_seconds',
      help: "Time from a Kubernetes event's timestamp to its notification being queued.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.state = new Gauge({
      name: 'agent_kube_events_state',
      help: 'The event source state: 1 for the current one (disabled, starting, listing, relisting, watching, reconnecting, forbidden).',
      labelNames: ['state'],
      registers,
    });
    this.setState('disabled');
  }

  setState(current: SourceState): void {
    for (const state of SOURCE_STATES) this.state.set({ state }, state === current ? 1 : 0);
  }
}

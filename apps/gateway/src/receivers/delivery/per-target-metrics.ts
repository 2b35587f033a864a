import { Counter, Gauge, type Registry } from 'prom-client';

/** One metric with a series per delivery target: its name, help, and the number it reads from a target's status. */
export type PerTargetMetric<S> = readonly [name: string, help: string, value: (status: S) => number];

/**
 * Registers counters, then gauges, with one series per target (labelled
 * `label` with the target's name), read from `statuses()` at scrape time so
 * that the deliveries keep the one set of numbers the API also shows.
 */
export function registerPerTargetMetrics<S extends { config: { name: string } }>(
  registry: Registry,
  label: string,
  statuses: () => S[],
  { counters = [], gauges = [] }: { counters?: PerTargetMetric<S>[]; gauges?: PerTargetMetric<S>[] },
): void {
  const options = ([name, help, value]: PerTargetMetric<S>) => ({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect(this: Counter | Gauge) {
      this.reset();
      for (const status of statuses()) {
        const labels = { [label]: status.config.name };
        if (this instanceof Counter) this.inc(labels, value(status));
        else this.set(labels, value(status));
      }
    },
  });
  for (const metric of counters) new Counter(options(metric));
  for (const metric of gauges) new Gauge(options(metric));
}

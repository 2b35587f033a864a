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
  for (const [name, help, value] of counters) {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const status of statuses()) this.inc({ [label]: status.config.name }, value(status));
      },
    });
  }
  for (const [name, help, value] of gauges) {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const status of statuses()) this.set({ [label]: status.config.name }, value(status));
      },
    });
  }
}

import { Controller, Get, Global, Header, Inject, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Public } from '../access/route-access.decorator.js';

/**
 * The process's Prometheus registry, with Node's default process metrics.
 * Features register their own metrics on it (inject `Registry`).
 */
function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

@Controller()
@Public('Prometheus scrapes without a credential; metrics carry counts, never notification content')
class MetricsController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  /** Prometheus text exposition format. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** GET /metrics and the shared Registry; import once in the composition root (global). */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: Registry, useFactory: createRegistry }],
  exports: [Registry],
})
export class MetricsModule {}

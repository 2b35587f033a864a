import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HealthzModule, loggerOptions, MetricsModule } from '@app/runtime';
import { AgentSettings } from './config/agent-settings.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { HealthModule } from './health/health.module.js';
import { NodeModule } from './node/node.module.js';
import { NotifyModule } from './notify/notify.module.js';
import { KubeEventsModule } from './sources/kube-events/kube-events.module.js';

/** The agent's composition root. */
@Module({})
export class AppModule {
  static forRoot(settings: AgentSettings): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions('agent', settings.logFormat, settings.logLevel)),
        HealthzModule,
        MetricsModule,
        NotifyModule,
        HealthModule,
        GatewayModule,
        NodeModule,
        KubeEventsModule,
      ],
      providers: [{ provide: AgentSettings, useValue: settings }],
      exports: [AgentSettings],
    };
  }
}

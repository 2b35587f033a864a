import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AccessModule, HealthzModule, loggerOptions, MetricsModule } from '@app/runtime';
import { AgentSettings } from './config/agent-settings.js';
import { UplinkModule } from './uplink/uplink.module.js';
import { HealthModule } from './health/health.module.js';
import { NodeModule } from './node/node.module.js';
import { NotifyModule } from './notification-service/notify.module.js';
import { KubeEventsModule } from './sources/kube-events/kube-events.module.js';

/** The gRPC services the agent serves on its local port (besides grpc.health.v1). */
export const AGENT_GRPC_SERVICES = ['alerting.NotificationService', 'capability.Node', 'control.Health'] as const;

/** The agent's composition root. */
@Module({})
export class AppModule {
  static forRoot(settings: AgentSettings, adminToken: string): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions('agent', settings)),
        AccessModule.forRoot(adminToken),
        HealthzModule,
        MetricsModule,
        NotifyModule,
        HealthModule,
        UplinkModule,
        NodeModule,
        KubeEventsModule,
      ],
      providers: [{ provide: AgentSettings, useValue: settings }],
      exports: [AgentSettings],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HealthzModule, loggerOptions, MetricsModule } from '@app/runtime';
import { AdminPageModule } from './admin-page/admin-page.module.js';
import { AlertingCapabilityModule } from './alerting-capability/alerting-capability.module.js';
import { ClusterStatusModule } from './clusters/status/cluster-status.module.js';
import { ClustersModule } from './clusters/clusters.module.js';
import { BootstrapModule } from './enrolment/bootstrap/bootstrap.module.js';
import { GatewaySettings } from './config/gateway-settings.js';
import { IngestModule } from './ingest/ingest.module.js';
import { SecurityModule } from './security/security.module.js';
import type { TlsIdentity } from './security/tls-identity.js';
import { TokensModule } from './enrolment/tokens/tokens.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { ReceiversModule } from './receivers/receivers.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { StorageModule } from './storage/storage.module.js';

/** The gRPC services the gateway serves (besides grpc.health.v1). */
export const GATEWAY_GRPC_SERVICES = [
  'capability.Backend',
  'session.v1.AgentSessionService',
  'bootstrap.v1.BootstrapService',
  'alerting.NotificationQueryService',
] as const;

/** The gateway's composition root. */
@Module({})
export class AppModule {
  static forRoot(settings: GatewaySettings, security: { tls: TlsIdentity; adminToken: string }): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions('gateway', settings)),
        SecurityModule.forRoot(security.tls, security.adminToken),
        HealthzModule,
        MetricsModule,
        StorageModule.forRoot(settings.storage),
        NotificationsModule,
        ClustersModule,
        SessionsModule,
        IngestModule,
        ReceiversModule,
        ClusterStatusModule,
        AlertingCapabilityModule,
        TokensModule,
        BootstrapModule,
        AdminPageModule,
      ],
      providers: [{ provide: GatewaySettings, useValue: settings }],
      exports: [GatewaySettings],
    };
  }
}

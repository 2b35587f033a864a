import 'reflect-metadata';
import { packageDefinitionFor } from '@app/proto';
import { loadSettingsOrExit, startService } from '@app/runtime';
import { AppModule } from './app.module.js';
import { GatewaySettings } from './config/gateway-settings.js';

const settings = loadSettingsOrExit(GatewaySettings);
await startService({
  name: 'gateway',
  settings,
  module: AppModule.forRoot(settings),
  grpc: {
    packageDefinition: packageDefinitionFor(
      'capability.Backend',
      'session.v1.AgentSessionService',
      'alerting.NotificationQueryService',
    ),
  },
});

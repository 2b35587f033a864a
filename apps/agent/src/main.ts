import 'reflect-metadata';
import { packageDefinitionFor } from '@app/proto';
import { loadSettingsOrExit, startService } from '@app/runtime';
import { AppModule } from './app.module.js';
import { AgentSettings } from './config/agent-settings.js';

const settings = loadSettingsOrExit(AgentSettings);
await startService({
  name: 'agent',
  settings,
  module: AppModule.forRoot(settings),
  grpc: {
    packageDefinition: packageDefinitionFor('alerting.NotificationService', 'capability.Node', 'control.Health'),
  },
});

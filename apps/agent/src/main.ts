import 'reflect-metadata';
import { packageDefinitionFor } from '@app/proto';
import { loadSettingsOrExit, SettingsError, startService } from '@app/runtime';
import { AppModule } from './app.module.js';
import { AgentSettings } from './config/agent-settings.js';
import { checkKubeEventSettings } from './sources/kube-events/kube-events-source.js';

const settings = loadSettingsOrExit(AgentSettings);
try {
  checkKubeEventSettings(settings);
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
await startService({
  name: 'agent',
  settings,
  module: AppModule.forRoot(settings),
  grpc: {
    packageDefinition: packageDefinitionFor('alerting.NotificationService', 'capability.Node', 'control.Health'),
  },
});

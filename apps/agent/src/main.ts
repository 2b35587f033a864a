import 'reflect-metadata';
import { mkdirSync, readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { Logger } from 'nestjs-pino';
import { packageDefinitionFor } from '@app/proto';
import { loadAdminToken, loadSettingsOrExit, SettingsError, startService } from '@app/runtime';
import { AGENT_GRPC_SERVICES, AppModule } from './app.module.js';
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
mkdirSync(settings.dataDir, { recursive: true });
const adminToken = loadAdminToken(settings.dataDir, settings.adminToken);
const running = await startService({
  name: 'agent',
  settings,
  module: AppModule.forRoot(settings, adminToken.value),
  grpc: {
    packageDefinition: packageDefinitionFor(...AGENT_GRPC_SERVICES),
    credentials: settings.tlsCertFile
      ? ServerCredentials.createSsl(null, [
          { cert_chain: readFileSync(settings.tlsCertFile), private_key: readFileSync(settings.tlsKeyFile) },
        ])
      : undefined,
  },
});
if (adminToken.created) {
  // Its value never goes to the logs: the file is where people read it.
  running.app
    .get(Logger)
    .log(
      { event: 'admin-token-created', file: adminToken.file },
      `admin token of the queue API created in ${adminToken.file} (mode 0600): read it from there`,
      'Security',
    );
}

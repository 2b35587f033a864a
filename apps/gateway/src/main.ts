import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { Logger } from 'nestjs-pino';
import { packageDefinitionFor } from '@app/proto';
import { loadSettingsOrExit, startService } from '@app/runtime';
import { AppModule } from './app.module.js';
import { GatewaySettings } from './config/gateway-settings.js';
import { loadAdminToken } from './security/admin-token.js';
import { loadTlsIdentity } from './security/tls-identity.js';

const settings = loadSettingsOrExit(GatewaySettings);
mkdirSync(settings.dataDir, { recursive: true });
const tls = await loadTlsIdentity(settings.dataDir, {
  certFile: settings.tlsCertFile,
  keyFile: settings.tlsKeyFile,
  caFile: settings.tlsCaFile,
});
const adminToken = loadAdminToken(settings.dataDir, settings.adminToken);
const running = await startService({
  name: 'gateway',
  settings,
  module: AppModule.forRoot(settings, { tls, adminToken: adminToken.value }),
  grpc: {
    packageDefinition: packageDefinitionFor(
      'capability.Backend',
      'session.v1.AgentSessionService',
      'bootstrap.v1.BootstrapService',
      'alerting.NotificationQueryService',
    ),
    credentials: ServerCredentials.createSsl(null, [
      { cert_chain: Buffer.from(tls.certChainPem), private_key: Buffer.from(tls.keyPem) },
    ]),
  },
});
const logger = running.app.get(Logger);
logger.log(
  { event: 'gateway-identity', pin: tls.pin, tls: tls.source },
  `agents pin this gateway as ${tls.pin} (TLS certificate ${tls.source === 'generated' ? `generated in ${settings.dataDir}/tls` : 'from the configured files'})`,
  'Security',
);
if (adminToken.created) {
  // Printed this once; it stays in <data-dir>/admin-token (mode 0600).
  logger.warn(
    { event: 'admin-token-created', adminToken: adminToken.value, file: `${settings.dataDir}/admin-token` },
    `admin token created (shown once; kept in ${settings.dataDir}/admin-token): ${adminToken.value}`,
    'Security',
  );
}

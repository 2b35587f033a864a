import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { Logger } from 'nestjs-pino';
import { packageDefinitionFor } from '@app/proto';
import { loadAdminToken, loadSettingsOrExit, startService } from '@app/runtime';
import { AppModule, GATEWAY_GRPC_SERVICES } from './app.module.js';
import { GatewaySettings } from './config/gateway-settings.js';
import { RECEIVERS_SETTING_CHECKS } from './receivers/receivers-file-check.js';
import { loadTlsIdentity } from './security/tls-identity.js';

const settings = loadSettingsOrExit(GatewaySettings, RECEIVERS_SETTING_CHECKS);
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
    packageDefinition: packageDefinitionFor(...GATEWAY_GRPC_SERVICES),
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
  // Its value never goes to the logs (they are shipped and kept): the file is where people read it.
  logger.warn(
    { event: 'admin-token-created', file: adminToken.file },
    `admin token created in ${adminToken.file} (mode 0600): read it from there`,
    'Security',
  );
}

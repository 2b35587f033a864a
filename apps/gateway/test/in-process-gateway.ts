import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import type { DynamicModule } from '@nestjs/common';
import { packageDefinitionFor, type ServiceName } from '@app/proto';
import { loadSettings, startService, type RunningService } from '@app/runtime';
import type { GatewaySecrets } from '@app/testing';
import { AppModule } from '../src/app.module.js';
import { GatewaySettings } from '../src/config/gateway-settings.js';
import { loadTlsIdentity } from '../src/security/tls-identity.js';

// The whole gateway app in the test's own process, on real HTTP and gRPC
// servers on 127.0.0.1 (ports the OS picks) over a fresh data directory: for
// tests that reach into it (its store, its bus, the routes it registered).

export interface InProcessGateway {
  running: RunningService;
  /** What a client needs: the admin token, and the CA and pin of the gateway's TLS identity. */
  secrets: GatewaySecrets;
  dataDir: string;
  /** Closes the app and removes its data directory. */
  stop(): Promise<void>;
}

export interface InProcessGatewayOptions {
  /** Names the temporary data directory. */
  name: string;
  adminToken: string;
  /** The gRPC services to serve (over TLS). */
  services: ServiceName[];
  /** Settings beside the loopback, port-0 and quiet-logging ones, as GATEWAY_* variables. */
  env?: Record<string, string>;
  /** Modules to start beside the gateway's own (a test's controllers). */
  extraModules?: DynamicModule[];
}

export async function startInProcessGateway(options: InProcessGatewayOptions): Promise<InProcessGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const settings = loadSettings(GatewaySettings, {
    argv: [],
    env: {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_GRPC_PORT: '0',
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_DATA_DIR: dataDir,
      ...options.env,
      LOG_LEVEL: 'fatal',
    },
  });
  const tls = await loadTlsIdentity(dataDir, {});
  const gateway = AppModule.forRoot(settings, { tls, adminToken: options.adminToken });
  const running = await startService({
    name: 'gateway',
    settings,
    module: { module: class GatewayUnderTest {}, imports: [gateway, ...(options.extraModules ?? [])] },
    grpc: {
      packageDefinition: packageDefinitionFor(...options.services),
      credentials: ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(tls.certChainPem), private_key: Buffer.from(tls.keyPem) },
      ]),
    },
  });
  return {
    running,
    secrets: { adminToken: options.adminToken, caCertPem: tls.caCertPem, pin: tls.pin },
    dataDir,
    async stop() {
      await running.app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { ServerCredentials } from '@grpc/grpc-js';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import { Logger } from 'nestjs-pino';
import type { PackageDefinition } from '@app/proto';
import { AppErrorFilter } from '../errors/app-error.filter.js';
import { GrpcServer } from '../grpc/grpc-server.js';
import { hostPort } from '../net/host-port.js';
import { requestLogger } from '../logging/request-logger.js';
import { LifecycleLogger } from './lifecycle-logger.js';
import type { SettingChecks } from '../settings/checked-setting.decorator.js';
import { loadSettings, settingsHelp, SettingsError } from '../settings/load-settings.js';

/** Settings every service has. */
export interface ServiceSettings {
  host: string;
  /** 0 picks a free port; startService then writes the port bound here, so addresses derived from it can be dialled. */
  grpcPort: number;
  /** As grpcPort. */
  httpPort: number;
  dataDir: string;
}

export interface ServiceSpec {
  /** Service name, e.g. "gateway"; it names the log lines. */
  name: string;
  settings: ServiceSettings;
  /** The composition root, already configured with the settings. */
  module: DynamicModule;
  /** Services served on the gRPC port, and their proto packages; TLS when credentials are given. */
  grpc: { packageDefinition: PackageDefinition; credentials?: ServerCredentials };
}

export interface RunningService {
  app: INestApplication;
  grpc: GrpcServer;
  grpcAddress: string;
  httpAddress: string;
}

/** Wraps the app's composition root with what every service has. */
@Module({})
class ServiceRoot {}

/**
 * Loads settings or exits: an invalid value ends the process with status 2
 * and one line on stderr naming the setting and what it allows; --help
 * prints every setting and exits. `checks`: as loadSettings'.
 */
export function loadSettingsOrExit<T extends object>(settingsClass: new () => T, checks: SettingChecks<T> = {}): T {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Settings (a flag wins over its environment variable):\n\n${settingsHelp(settingsClass)}\n`);
    process.exit(0);
  }
  try {
    return loadSettings(settingsClass, {}, checks);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

/**
 * Express with exact routing: a path that differs from a route in case or by
 * a trailing slash is a 404, never another spelling of that route. (Express
 * matches case-insensitively and ignores a trailing slash by default, and its
 * router takes these settings when created, so they are set before Nest
 * registers anything.)
 */
export function strictHttpAdapter(): ExpressAdapter {
  const server = express();
  server.set('case sensitive routing', true);
  server.set('strict routing', true);
  server.disable('x-powered-by');
  return new ExpressAdapter(server);
}

/**
 * Boots a service: Nest app with JSON logs, HTTP server, gRPC server (with
 * grpc.health.v1), graceful shutdown on SIGTERM and SIGINT. Logs one
 * "listening" line carrying both addresses once both accept connections.
 */
export async function startService(spec: ServiceSpec): Promise<RunningService> {
  const { settings } = spec;
  mkdirSync(settings.dataDir, { recursive: true });

  const root: DynamicModule = { module: ServiceRoot, imports: [spec.module], providers: [LifecycleLogger] };
  const app = await NestFactory.create(root, strictHttpAdapter(), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.use(requestLogger());
  // process.exit (not re-raising the signal) lets pino flush and gives exit code 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });

  const packages = [...new Set(Object.keys(spec.grpc.packageDefinition).map((n) => n.slice(0, n.lastIndexOf('.'))))];
  const grpc = new GrpcServer({
    url: hostPort(settings.host, settings.grpcPort),
    package: packages,
    packageDefinition: spec.grpc.packageDefinition,
    credentials: spec.grpc.credentials,
  });
  app.useGlobalFilters(new AppErrorFilter());
  app.connectMicroservice({ strategy: grpc }, { inheritAppConfig: true });
  // Run every onModuleInit (e.g. the agent's queue recovery) before any port accepts a call.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(settings.httpPort, settings.host);

  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  // With port 0 the settings would name a port nobody listens on (e.g. in the gateway's join command).
  settings.grpcPort = grpc.boundPort;
  settings.httpPort = httpPort;
  const running = {
    app,
    grpc,
    grpcAddress: hostPort(settings.host, grpc.boundPort),
    httpAddress: hostPort(settings.host, httpPort),
  };
  logger.log(
    { event: 'listening', grpc: running.grpcAddress, http: running.httpAddress },
    `${spec.name} listening: gRPC ${running.grpcAddress}, HTTP http://${running.httpAddress}`,
    'Bootstrap',
  );
  return running;
}

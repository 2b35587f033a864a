// The notifier example: a minimal Nest service that relays POST /api/v1/alerts
// to the cluster's agent through @app/notifier-client. See the README beside src/.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadSettingsOrExit } from '@app/runtime';
import { AppModule } from './app.module.js';
import { ExampleSettings } from './config/example-settings.js';

const settings = loadSettingsOrExit(ExampleSettings);
const app = await NestFactory.create(AppModule.forRoot(settings), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);
// SIGTERM closes the app, and with it the notifier's channel (NotifierModule's shutdown hook).
app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
await app.listen(settings.httpPort, settings.host);

const { port } = app.getHttpServer().address() as AddressInfo;
const http = `${settings.host}:${port}`;
logger.log(
  { event: 'listening', http, agent: settings.agentAddress },
  `notifier-example listening: HTTP http://${http}, agent ${settings.agentAddress}`,
  'Bootstrap',
);

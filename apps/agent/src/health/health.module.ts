import { Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { HealthController } from './health.controller.js';

/** control.Health for the gateway (capability conditions arrive with the capability issue). */
@Module({ imports: [QueueModule, GatewayModule], controllers: [HealthController] })
export class HealthModule {}

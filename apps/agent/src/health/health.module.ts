import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { HealthController } from './health.controller.js';

/** control.Health for the gateway (capability conditions arrive with the capability issue). */
@Module({ imports: [QueueModule], controllers: [HealthController] })
export class HealthModule {}

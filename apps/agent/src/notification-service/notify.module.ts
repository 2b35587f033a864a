import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { NotifyController } from './notify.controller.js';

/** Where local applications hand notifications to the agent. */
@Module({ imports: [QueueModule], controllers: [NotifyController] })
export class NotifyModule {}

import { Controller, Get, Query } from '@nestjs/common';
import { InvalidArgumentError } from '@app/runtime';
import { NotificationQueue } from './notification-queue.js';

const MAX_LIMIT = 100_000;

function integerParam(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new InvalidArgumentError(name, `must be an integer from 0 to ${max}`);
  return Number(value);
}

/** Read-only view of the queue for operators: GET /api/v1/queue?offset=&limit= (drain order). */
@Controller('api/v1/queue')
export class QueueController {
  constructor(private readonly queue: NotificationQueue) {}

  @Get()
  list(@Query('offset') offsetParam?: string, @Query('limit') limitParam?: string) {
    const offset = integerParam('offset', offsetParam, 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParam('limit', limitParam, 100, MAX_LIMIT);
    const stats = this.queue.stats();
    const entries = [];
    if (limit > 0) {
      for (const entry of this.queue.entries(offset)) {
        entries.push({ ...entry, createdAt: new Date(entry.createdAt).toISOString() });
        if (entries.length >= limit) break;
      }
    }
    return {
      ...stats,
      oldestCreatedAt: stats.oldestCreatedAt === undefined ? null : new Date(stats.oldestCreatedAt).toISOString(),
      inFlightIds: this.queue.inFlightIds(),
      offset,
      entries,
    };
  }
}

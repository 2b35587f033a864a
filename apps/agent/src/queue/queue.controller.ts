import { Controller, Get, Query } from '@nestjs/common';
import { SEVERITY_NAMES } from '@app/notification-model';
import { InvalidArgumentError } from '@app/runtime';
import { NotificationQueue } from './notification-queue.js';

const MAX_LIMIT = 100_000;

function integerParam(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new InvalidArgumentError(name, `must be an integer from 0 to ${max}`);
  return Number(value);
}

/**
 * Read-only view of the queue for operators: GET /api/v1/queue?offset=&limit=
 * (drain order), and GET /api/v1/queue/dead-letters?limit= (what the gateway refused).
 */
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

  @Get('dead-letters')
  async deadLetters(@Query('limit') limitParam?: string) {
    const limit = integerParam('limit', limitParam, 100, 10_000);
    const { total, items } = await this.queue.deadLetters(limit);
    return {
      total,
      deadLetters: items.map((item) => ({
        ...item,
        severity: SEVERITY_NAMES[item.severity] ?? String(item.severity),
        createdAt: new Date(item.createdAt).toISOString(),
        deadLetteredAt: new Date(item.deadLetteredAt).toISOString(),
      })),
    };
  }
}

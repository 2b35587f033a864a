import { Controller, Get, Inject, Query } from '@nestjs/common';
import { SEVERITIES, type NotificationCountsJson } from '@app/admin-api';
import { severityOf } from '@app/notification-model';
import { countQueryFromParams, type QueryParams } from './notification-query-params.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../store/notification-store.js';

/**
 * GET /api/v1/notifications/counts?cluster=&goldenSignal=&since=&until=&q=&dedupeKey= — how
 * many stored notifications match, per severity: the admin page's severity
 * chips. The same filters as the list, but severity (which it counts).
 */
@Controller('api/v1/notifications/counts')
export class NotificationCountsController {
  constructor(@Inject(NOTIFICATION_STORE) private readonly store: NotificationStore) {}

  @Get()
  async counts(@Query() params: QueryParams): Promise<NotificationCountsJson> {
    const counts = await this.store.countBySeverity(countQueryFromParams(params));
    const bySeverity = Object.fromEntries(
      SEVERITIES.map((name) => [name, counts.get(severityOf(name)) ?? 0]),
    ) as NotificationCountsJson['bySeverity'];
    return { bySeverity, total: Object.values(bySeverity).reduce((sum, n) => sum + n, 0) };
  }
}

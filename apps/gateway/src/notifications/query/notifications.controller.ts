import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { NotificationListJson } from '@app/admin-api';
import { toNotificationJson } from './notification-json.js';
import { listQueryFromParams, type QueryParams } from './notification-query-params.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../store/notification-store.js';

/**
 * GET /api/v1/notifications?cluster=&severity=&goldenSignal=&since=&until=&q=&dedupeKey=&order=&limit=&cursor=
 * — stored notifications, newest (or most severe) first, a page at a time.
 */
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(@Inject(NOTIFICATION_STORE) private readonly store: NotificationStore) {}

  @Get()
  async list(@Query() params: QueryParams): Promise<NotificationListJson> {
    const page = await this.store.list(listQueryFromParams(params));
    return { notifications: page.notifications.map(toNotificationJson), nextCursor: page.nextCursor ?? null };
  }
}

import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import type { NotificationJson } from '@app/admin-api';
import { InvalidArgumentError, NotFoundError } from '@app/runtime';
import { toNotificationJson } from './notification-json.js';
import { byIdClusterFromParams, type QueryParams } from './notification-query-params.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../store/notification-store.js';

/**
 * GET /api/v1/notifications/:id?cluster= — one stored notification, by its id
 * (the admin page's permalinks). Ids are unique per cluster: an id stored for
 * several clusters needs `cluster`. NotificationsModule registers this
 * controller after /counts and /stream, which `:id` would otherwise shadow.
 */
@Controller('api/v1/notifications')
export class NotificationByIdController {
  constructor(@Inject(NOTIFICATION_STORE) private readonly store: NotificationStore) {}

  @Get(':id')
  async get(@Param('id') id: string, @Query() params: QueryParams): Promise<NotificationJson> {
    const clusterId = byIdClusterFromParams(params);
    const found = await this.store.withId(id, clusterId);
    const where = clusterId === undefined ? '' : ` in cluster ${JSON.stringify(clusterId)}`;
    if (found.length === 0)
      throw new NotFoundError(`no notification with id ${JSON.stringify(id)}${where} is stored (or it was pruned)`);
    if (found.length > 1) {
      const clusters = found.map((n) => n.clusterId).join(', ');
      throw new InvalidArgumentError(
        'cluster',
        `id ${JSON.stringify(id)} is stored for several clusters (${clusters}): name one`,
      );
    }
    return toNotificationJson(found[0]);
  }
}

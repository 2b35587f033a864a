import type { NotificationJson } from '@app/admin-api';
import { TimeText } from '../time-text.js';
import { SeverityBadge } from './severity-badge.js';

interface Props {
  notifications: NotificationJson[];
  label: string;
  onOpen(notification: NotificationJson): void;
}

/** Notifications one per row; a row is a button that opens the full notification. */
export function NotificationList({ notifications, label, onOpen }: Props) {
  return (
    <ul class="notifications" aria-label={label}>
      {notifications.map((notification) => (
        <li key={`${notification.clusterId}/${notification.id}`}>
          <button type="button" class="notification-row" onClick={() => onOpen(notification)}>
            <SeverityBadge severity={notification.severity} />
            <span class="notification-title">{notification.title}</span>
            <span class="notification-meta">
              {notification.clusterId} · {notification.goldenSignal} · <TimeText iso={notification.receivedAt} />
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

import { useEffect, useState } from 'preact/hooks';
import type { NotificationJson } from '@app/admin-api';
import { followNotifications } from '../api/notification-stream.js';

interface Props {
  /** The tab's title without the count. */
  title: string;
  /** The notifications view is open: what arrives is seen there. */
  watching: boolean;
}

/**
 * Critical and Error notifications that arrive while nobody looks at the
 * notifications view (another view, or another tab): counted in the tab's
 * title, "(2) Clusters — Downstream Alerting", and each announced politely to
 * screen readers.
 */
export function SevereArrivals({ title, watching }: Props) {
  const [unseen, setUnseen] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  const seen = watching && visible;

  useEffect(() => {
    const follow = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', follow);
    return () => document.removeEventListener('visibilitychange', follow);
  }, []);

  useEffect(
    () =>
      followNotifications(
        { cluster: '', minSeverity: 'Error' },
        {
          notification: (notification: NotificationJson) => {
            setUnseen((count) => count + 1);
            setAnnouncement(`${notification.severity} from ${notification.clusterId}: ${notification.title}`);
          },
          state: () => undefined,
        },
      ),
    [],
  );

  useEffect(() => {
    if (seen) setUnseen(0);
  }, [seen, unseen]);

  useEffect(() => {
    document.title = unseen > 0 && !seen ? `(${unseen}) ${title}` : title;
  }, [title, unseen, seen]);

  return (
    <div class="visually-hidden" aria-live="polite" data-testid="severe-announcement">
      {announcement}
    </div>
  );
}

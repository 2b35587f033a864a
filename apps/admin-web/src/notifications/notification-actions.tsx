import { useState } from 'preact/hooks';
import type { NotificationJson } from '@app/admin-api';
import { viewStateSearch, DEFAULT_VIEW_STATE } from './notification-view-state.js';

/** The view of its cluster with this notification open, read by id: it opens however old it is. */
export function permalinkOf(notification: NotificationJson): string {
  const search = viewStateSearch({
    ...DEFAULT_VIEW_STATE,
    cluster: notification.clusterId,
    notification: notification.id,
  });
  return `${location.origin}${location.pathname}#/notifications?${search}`;
}

/**
 * Copy as JSON, a permalink, and the related ones (same cluster, same dedupe
 * key), which close the dialog (`onLeave`): the view they lead to may be this one.
 */
export function NotificationActions({ notification, onLeave }: { notification: NotificationJson; onLeave(): void }) {
  const [copied, setCopied] = useState<string | undefined>();
  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied.`);
    } catch {
      setCopied(`The browser refused the clipboard: select the ${what.toLowerCase()} and copy it.`);
    }
  };
  const dedupeKey = notification.properties.opni_dedupe_key;
  const related = (change: Partial<typeof DEFAULT_VIEW_STATE>) =>
    `#/notifications?${viewStateSearch({ ...DEFAULT_VIEW_STATE, ...change })}`;
  const permalink = permalinkOf(notification);
  return (
    <div class="notification-actions">
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => void copy('JSON', JSON.stringify(notification, null, 2))}
        >
          Copy as JSON
        </button>
        <button type="button" class="secondary" onClick={() => void copy('Permalink', permalink)}>
          Copy permalink
        </button>
        <a href={permalink} data-testid="permalink">
          Permalink
        </a>
      </div>
      <p class="outcome" role="status">
        {copied}
      </p>
      <h4>Related</h4>
      <ul class="related">
        <li>
          <a href={related({ cluster: notification.clusterId })} onClick={onLeave}>
            More from cluster {notification.clusterId}
          </a>
        </li>
        {dedupeKey && (
          <li>
            <a href={related({ dedupeKey })} onClick={onLeave}>
              Same dedupe key ({dedupeKey})
            </a>
          </li>
        )}
      </ul>
    </div>
  );
}

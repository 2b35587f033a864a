import { useState } from 'preact/hooks';
import type { NotificationJson } from '@app/admin-api';
import { viewStateSearch, DEFAULT_VIEW_STATE } from './notification-view-state.js';

/** The view that shows just this notification: its cluster, its instant, its id. */
export function permalinkOf(notification: NotificationJson): string {
  const at = Date.parse(notification.receivedAt);
  const search = viewStateSearch({
    ...DEFAULT_VIEW_STATE,
    cluster: notification.clusterId,
    since: new Date(at).toISOString(),
    until: new Date(at + 1).toISOString(),
    text: notification.id,
  });
  return `${location.origin}${location.pathname}#/notifications?${search}`;
}

/** Copy as JSON, a permalink, and the related ones (same cluster, same dedupe key). */
export function NotificationActions({ notification }: { notification: NotificationJson }) {
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
          <a href={related({ cluster: notification.clusterId })}>More from cluster {notification.clusterId}</a>
        </li>
        {dedupeKey && (
          <li>
            <a href={related({ text: dedupeKey })}>Same dedupe key ({dedupeKey})</a>
          </li>
        )}
      </ul>
    </div>
  );
}

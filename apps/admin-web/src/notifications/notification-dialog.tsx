import { useEffect, useRef } from 'preact/hooks';
import type { AlertmanagerTargetJson, NotificationJson } from '@app/admin-api';
import { alertmanagerAlertUrl, targetsShowing } from '../alertmanagers/alertmanager-link.js';
import { TimeText } from '../time-text.js';
import { NotificationActions } from './notification-actions.js';
import { SeverityBadge } from './severity-badge.js';

interface Props {
  notification: NotificationJson;
  /** Alertmanager targets: those that deliver this notification and have a web UI get a link to its alert. */
  alertmanagers?: readonly AlertmanagerTargetJson[];
  onClose(): void;
}

/** One notification in full: body and every property. A modal dialog: Escape or Close returns to the list. */
export function NotificationDialog({ notification, alertmanagers = [], onClose }: Props) {
  const showing = targetsShowing(alertmanagers, notification);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="notification-dialog" aria-labelledby="notification-dialog-title" onClose={onClose}>
      <h3 id="notification-dialog-title">
        <SeverityBadge severity={notification.severity} /> {notification.title}
      </h3>
      <dl class="facts">
        <dt>Cluster</dt>
        <dd>{notification.clusterId}</dd>
        <dt>Id</dt>
        <dd>{notification.id}</dd>
        <dt>Golden signal</dt>
        <dd>{notification.goldenSignal}</dd>
        <dt>Received</dt>
        <dd>
          <TimeText iso={notification.receivedAt} />
        </dd>
        <dt>Seq</dt>
        <dd>{notification.seq}</dd>
      </dl>
      {showing.length > 0 && (
        <ul class="alertmanager-links">
          {showing.map((target) => (
            <li key={target.name}>
              <a
                href={alertmanagerAlertUrl(target.externalUrl, notification)}
                target="_blank"
                rel="noopener noreferrer"
              >
                Its alert in Alertmanager {target.name}
              </a>
            </li>
          ))}
        </ul>
      )}
      <h4>Body</h4>
      <pre class="notification-body">{notification.body}</pre>
      <h4>Properties</h4>
      <table class="properties">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(notification.properties)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{value}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <NotificationActions notification={notification} onLeave={onClose} />
      <form method="dialog">
        <button type="submit" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
}

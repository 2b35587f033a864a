import { useEffect, useState } from 'preact/hooks';
import { AlertmanagersView } from './alertmanagers/alertmanagers-view.js';
import { adminToken, forgetAdminToken, setAdminToken } from './api/admin-token.js';
import { onUnauthorized } from './api/gateway-api.js';
import { BootstrapTokensView } from './bootstrap-tokens/bootstrap-tokens-view.js';
import { ClustersView } from './clusters/clusters-view.js';
import { NotificationsView } from './notifications/notifications-view.js';
import { TokenPrompt } from './token/token-prompt.js';

const VIEWS = [
  { hash: '#/clusters', title: 'Clusters', render: () => <ClustersView /> },
  { hash: '#/notifications', title: 'Notifications', render: () => <NotificationsView /> },
  { hash: '#/bootstrap-tokens', title: 'Bootstrap tokens', render: () => <BootstrapTokensView /> },
  { hash: '#/alertmanagers', title: 'Alertmanager', render: () => <AlertmanagersView /> },
];

/** The view the address names (so views can be bookmarked and the back button works); Clusters by default. */
function currentView() {
  return VIEWS.find((view) => view.hash === location.hash) ?? VIEWS[0];
}

export function App() {
  const [token, setToken] = useState(adminToken());
  const [rejected, setRejected] = useState(false);
  const [view, setView] = useState(currentView());

  useEffect(() => {
    const followHash = () => setView(currentView());
    addEventListener('hashchange', followHash);
    return () => removeEventListener('hashchange', followHash);
  }, []);
  useEffect(
    () =>
      onUnauthorized(() => {
        setRejected(true);
        setToken(undefined);
      }),
    [],
  );
  useEffect(() => {
    document.title = `${view.title} — Downstream Alerting`;
  }, [view]);

  if (token === undefined) {
    return (
      <TokenPrompt
        rejected={rejected}
        onToken={(entered) => {
          setAdminToken(entered);
          setRejected(false);
          setToken(entered);
        }}
      />
    );
  }
  return (
    <>
      <header class="app-header">
        <h1>Downstream Alerting</h1>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((entry) => (
              <li key={entry.hash}>
                <a href={entry.hash} aria-current={entry === view ? 'page' : undefined}>
                  {entry.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            forgetAdminToken();
            setToken(undefined);
          }}
        >
          Forget token
        </button>
      </header>
      <main id="main">{view.render()}</main>
    </>
  );
}

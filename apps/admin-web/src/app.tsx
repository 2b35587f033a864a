import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AlertmanagersView } from './alertmanagers/alertmanagers-view.js';
import { adminToken, forgetAdminToken, setAdminToken } from './api/admin-token.js';
import { onUnauthorized } from './api/gateway-api.js';
import { BootstrapTokensView } from './bootstrap-tokens/bootstrap-tokens-view.js';
import { ClusterPage } from './clusters/cluster-page.js';
import { tableStateFrom, tableStateSearch } from './clusters/cluster-query.js';
import { ClustersTable } from './clusters/clusters-table.js';
import { viewStateFrom, viewStateSearch } from './notifications/notification-view-state.js';
import { NotificationsView } from './notifications/notifications-view.js';
import { SevereArrivals } from './notifications/severe-arrivals.js';
import { OutageBanner } from './outage/outage-banner.js';
import { useReachability } from './api/reachability.js';
import { ThemeSwitch } from './theme/theme-switch.js';
import { TokenPrompt } from './token/token-prompt.js';

/** Where the address points: `#/clusters/prod?…` is path "/clusters/prod", search "…". */
interface Route {
  path: string;
  search: string;
}

function currentRoute(): Route {
  const [path, search = ''] = (location.hash.slice(1) || '/clusters').split('?');
  return { path, search };
}

/** Replaces the address (no history entry per keystroke of a filter); `hashchange` does not fire for it. */
function replaceRoute(path: string, search: string): void {
  history.replaceState(null, '', `#${path}${search ? `?${search}` : ''}`);
}

interface View {
  hash: string;
  title: string;
  render(route: Route, navigate: (route: Route) => void): ComponentChild;
}

const VIEWS: View[] = [
  {
    hash: '#/clusters',
    title: 'Clusters',
    render: (route, navigate) => {
      const id = route.path.split('/')[2];
      if (id) return <ClusterPage key={id} clusterId={decodeURIComponent(id)} />;
      return (
        <ClustersTable
          state={tableStateFrom(route.search)}
          onState={(state) => navigate({ path: '/clusters', search: tableStateSearch(state) })}
        />
      );
    },
  },
  {
    hash: '#/notifications',
    title: 'Notifications',
    render: (route, navigate) => (
      <NotificationsView
        state={viewStateFrom(route.search)}
        onState={(state) => navigate({ path: '/notifications', search: viewStateSearch(state) })}
      />
    ),
  },
  { hash: '#/bootstrap-tokens', title: 'Bootstrap tokens', render: () => <BootstrapTokensView /> },
  { hash: '#/alertmanagers', title: 'Alertmanager', render: () => <AlertmanagersView /> },
];

/** The view the address names (so views can be bookmarked and the back button works); Clusters by default. */
function viewOf(route: Route): View {
  return (
    VIEWS.find((view) => route.path === view.hash.slice(1) || route.path.startsWith(`${view.hash.slice(1)}/`)) ??
    VIEWS[0]
  );
}

export function App() {
  const [token, setToken] = useState(adminToken());
  const [rejected, setRejected] = useState(false);
  const [route, setRoute] = useState(currentRoute());
  const view = viewOf(route);
  const navigate = (next: Route) => {
    replaceRoute(next.path, next.search);
    setRoute(next);
  };
  const { unreachableSince } = useReachability();

  useEffect(() => {
    const followHash = () => setRoute(currentRoute());
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
        <ThemeSwitch />
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
      <SevereArrivals title={`${view.title} — Downstream Alerting`} watching={view.hash === '#/notifications'} />
      <OutageBanner />
      <main id="main" class={unreachableSince === undefined ? undefined : 'stale'}>
        {view.render(route, navigate)}
      </main>
    </>
  );
}

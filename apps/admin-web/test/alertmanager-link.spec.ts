import type { AlertmanagerTargetJson } from '@app/admin-api';
import { alertmanagerAlertUrl, targetsShowing } from '../src/alertmanagers/alertmanager-link.js';

function target(name: string, overrides: Partial<AlertmanagerTargetJson>): AlertmanagerTargetJson {
  return {
    name,
    peers: [],
    externalUrl: 'http://alertmanager.example.com:9093/',
    auth: 'none',
    tlsCaFile: null,
    filters: { minSeverity: 'Info', clusters: [] },
    cursor: '0',
    backlog: 0,
    lagSeconds: 0,
    state: 'ok',
    consecutiveFailures: 0,
    lastSuccessAt: null,
    lastError: null,
    delivered: 0,
    deadLettered: 0,
    expired: 0,
    retried: 0,
    lastDeadLetter: null,
    settings: {},
    ...overrides,
  };
}

describe('links from a notification to its alert in Alertmanager', () => {
  it("filters Alertmanager's alerts page on the cluster and opni_uuid labels, silenced ones included", () => {
    const url = new URL(alertmanagerAlertUrl('http://am.example.com/prefix/', { clusterId: 'prod', id: 'n-1' }));
    expect(url.origin + url.pathname).toBe('http://am.example.com/prefix/');
    const query = new URLSearchParams(url.hash.slice(url.hash.indexOf('?') + 1));
    expect(url.hash.startsWith('#/alerts?')).toBe(true);
    expect(query.get('filter')).toBe('{cluster="prod",opni_uuid="n-1"}');
    expect(query.get('silenced')).toBe('true');
    expect(query.get('inhibited')).toBe('true');
  });

  it('escapes quotes and backslashes in the matcher values, and the URL', () => {
    const url = alertmanagerAlertUrl('https://am', { clusterId: 'a"b', id: 'x\\y&z' });
    const filter = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('filter');
    expect(filter).toBe('{cluster="a\\"b",opni_uuid="x\\\\y&z"}');
  });

  it('links only through targets that have a UI and whose filters let the notification through', () => {
    const targets = [
      target('all', {}),
      target('no-ui', { externalUrl: null }),
      target('prod-only', { filters: { minSeverity: 'Info', clusters: ['prod'] } }),
      target('errors', { filters: { minSeverity: 'Error', clusters: [] } }),
    ];
    const names = (clusterId: string, severity: 'Info' | 'Critical') =>
      targetsShowing(targets, { clusterId, severity }).map((t) => t.name);
    expect(names('prod', 'Info')).toEqual(['all', 'prod-only']);
    expect(names('staging', 'Critical')).toEqual(['all', 'errors']);
  });
});

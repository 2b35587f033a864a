import type { ClusterView } from '@app/admin-api';
import { InvalidArgumentError } from '@app/runtime';
import { clusterListQuery, listClusters } from './cluster-list.js';

function cluster(id: string, change: Partial<ClusterView> = {}, annotations: Record<string, string> = {}): ClusterView {
  return {
    id,
    labels: {},
    capabilities: [],
    connected: false,
    joinedAt: '2030-01-01T00:00:00.000Z',
    lastConnectedAt: null,
    lastAddress: null,
    agentVersion: null,
    health: { ready: true, conditions: [], annotations, timestamp: undefined },
    lastNotificationAt: null,
    ...change,
  };
}

const ids = (list: { clusters: ClusterView[] }) => list.clusters.map((c) => c.id);

describe('GET /api/v1/clusters query', () => {
  const all = [
    cluster('c', { connected: true, labels: { env: 'prod' } }, { 'queue.count': '5', 'queue.evicted': '2' }),
    cluster('a', { capabilities: [{ name: 'alerting' }] }, { 'queue.count': '10' }),
    cluster('b', { connected: true, capabilities: [{ name: 'alerting', deletionTimestamp: '2030-01-02T00:00:00Z' }] }),
    cluster('d', { health: null, lastNotificationAt: '2030-01-03T00:00:00.000Z' }),
  ];

  it('without parameters: every cluster by id, total counted', () => {
    expect(listClusters(all, clusterListQuery({}))).toMatchObject({ total: 4 });
    expect(ids(listClusters(all, clusterListQuery({})))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('filters by text (id or label key=value, any case), connection and alerting state', () => {
    expect(ids(listClusters(all, clusterListQuery({ q: 'ENV=Prod' })))).toEqual(['c']);
    expect(ids(listClusters(all, clusterListQuery({ connected: 'true' })))).toEqual(['b', 'c']);
    expect(ids(listClusters(all, clusterListQuery({ alerting: 'not-installed' })))).toEqual(['c', 'd']);
    expect(ids(listClusters(all, clusterListQuery({ alerting: 'uninstalling' })))).toEqual(['b']);
  });

  it('sorts by a column either way (unknown lowest, ties by id) and pages with total of all matches', () => {
    expect(ids(listClusters(all, clusterListQuery({ sort: 'queued', order: 'desc' })))).toEqual(['a', 'c', 'b', 'd']);
    expect(ids(listClusters(all, clusterListQuery({ sort: 'losses', order: 'desc' })))).toEqual(['c', 'a', 'b', 'd']);
    expect(ids(listClusters(all, clusterListQuery({ sort: 'lastNotificationAt', order: 'desc' }))).at(0)).toBe('d');
    const page = listClusters(all, clusterListQuery({ sort: 'id', order: 'desc', limit: '2', offset: '1' }));
    expect(page).toMatchObject({ total: 4 });
    expect(ids(page)).toEqual(['c', 'b']);
  });

  it.each([
    [{ sort: 'name' }, 'sort: "name" is not one of id, connected'],
    [{ order: 'up' }, 'order: "up" is not one of asc, desc'],
    [{ limit: '0' }, 'limit: must be an integer from 1 to 1000'],
    [{ limit: '1001' }, 'limit: must be an integer from 1 to 1000'],
    [{ offset: '-1' }, 'offset: must be an integer'],
    [{ connected: 'yes' }, 'connected: "yes" is not one of true, false'],
    [{ alerting: ['installed', 'uninstalling'] }, 'alerting: must be given at most once'],
    [{ page: '2' }, 'page: is not a parameter of this endpoint'],
    [{ q: 'x'.repeat(201) }, 'q: must be at most 200 characters'],
  ])('refuses %j naming it', (params, message) => {
    expect(() => clusterListQuery(params)).toThrow(InvalidArgumentError);
    expect(() => clusterListQuery(params)).toThrow(message);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { countQueryFromParams } from '../query/notification-query-params.js';
import { SqliteNotificationStore } from './sqlite-notification-store.js';

const { OpniSeverity, GoldenSignal } = alerting;
const T0 = Date.UTC(2030, 0, 1);

describe('SqliteNotificationStore: counts by severity and the last notification of each cluster', () => {
  let dir: string;
  let store: SqliteNotificationStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-notification-counts-'));
    store = new SqliteNotificationStore(join(dir, 'notifications.db'));
    const rows: [string, alerting.OpniSeverity, alerting.GoldenSignal, number][] = [
      ['a', OpniSeverity.Critical, GoldenSignal.Errors, 0],
      ['a', OpniSeverity.Info, GoldenSignal.Custom, 1],
      ['b', OpniSeverity.Critical, GoldenSignal.Custom, 2],
      ['b', OpniSeverity.Warning, GoldenSignal.Errors, 3],
      ['a', OpniSeverity.Warning, GoldenSignal.Custom, 4],
    ];
    await Promise.all(
      rows.map(([clusterId, severity, goldenSignal, minute], i) =>
        store.store({
          clusterId,
          id: `n${i}`,
          notification: { title: `t${i}`, body: '', properties: {} },
          severity,
          goldenSignal,
          receivedAt: new Date(T0 + minute * 60_000),
        }),
      ),
    );
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts per severity under the cluster, golden signal and time filters', async () => {
    expect(await store.countBySeverity({})).toEqual(
      new Map([
        [OpniSeverity.Critical, 2],
        [OpniSeverity.Info, 1],
        [OpniSeverity.Warning, 2],
      ]),
    );
    expect(await store.countBySeverity({ clusterIds: ['b'] })).toEqual(
      new Map([
        [OpniSeverity.Critical, 1],
        [OpniSeverity.Warning, 1],
      ]),
    );
    expect(await store.countBySeverity({ goldenSignals: [GoldenSignal.Errors] })).toEqual(
      new Map([
        [OpniSeverity.Critical, 1],
        [OpniSeverity.Warning, 1],
      ]),
    );
    const since = new Date(T0 + 2 * 60_000);
    const until = new Date(T0 + 4 * 60_000);
    expect(await store.countBySeverity({ since, until })).toEqual(
      new Map([
        [OpniSeverity.Critical, 1],
        [OpniSeverity.Warning, 1],
      ]),
    );
    expect(await store.countBySeverity({ since: new Date(T0 + 3_600_000) })).toEqual(new Map());
  });

  it('the counts endpoint takes the list filters but severity and the page, naming a bad one', () => {
    expect(countQueryFromParams({ cluster: 'a', goldenSignal: 'errors' }).clusterIds).toEqual(['a']);
    expect(() => countQueryFromParams({ severity: 'critical' })).toThrow(InvalidArgumentError);
    expect(() => countQueryFromParams({ limit: '5' })).toThrow('limit: is not a parameter of this endpoint');
    expect(() => countQueryFromParams({ since: 'yesterday' })).toThrow('since:');
  });

  it("knows each cluster's newest notification", async () => {
    expect(await store.lastReceivedByCluster()).toEqual(
      new Map([
        ['a', new Date(T0 + 4 * 60_000)],
        ['b', new Date(T0 + 3 * 60_000)],
      ]),
    );
  });
});

import { alerting } from '@app/proto';
import { alertnameOf, postableAlertOf } from './alertmanager-alert.js';

function stored(properties: Record<string, string>, title = 'OOMKilled: container api was killed') {
  return {
    clusterId: 'prod',
    id: 'n-1',
    notification: { title, body: 'details', properties },
    severity: alerting.OpniSeverity.Warning,
    goldenSignal: alerting.GoldenSignal.Saturation,
    receivedAt: new Date('2026-01-02T03:04:05.000Z'),
    seq: 7n,
  };
}

describe('postableAlertOf', () => {
  const options = { externalURL: 'https://gw.example.com/', lifetimeMs: 60_000 };

  it('maps the notification to labels, annotations and times as the table of docs/receivers.md says', () => {
    const alert = postableAlertOf(
      stored({ opni_uuid: 'n-1', opni_severity: 'Warning', opni_clusterId: 'prod', namespace: 'ns', 'a.b/c': 'v' }),
      options,
    );
    expect(alert).toEqual({
      labels: {
        alertname: 'OOMKilled',
        cluster: 'prod',
        golden_signal: 'saturation',
        namespace: 'ns',
        opni_uuid: 'n-1',
        severity: 'warning',
      },
      annotations: {
        a_b_c: 'v',
        description: 'details',
        link: 'https://gw.example.com/api/v1/notifications?cluster=prod&since=2026-01-02T03%3A04%3A05.000Z&until=2026-01-02T03%3A04%3A05.001Z',
        summary: 'OOMKilled: container api was killed',
      },
      startsAt: '2026-01-02T03:04:05.000Z',
      endsAt: '2026-01-02T03:05:05.000Z',
      generatorURL:
        'https://gw.example.com/api/v1/notifications?cluster=prod&since=2026-01-02T03%3A04%3A05.000Z&until=2026-01-02T03%3A04%3A05.001Z',
    });
  });

  it('never lets a property override a label of the mapping, nor send an empty or reserved one', () => {
    const alert = postableAlertOf(
      stored({ cluster: 'evil', severity: 'none', alertname: 'x', summary: 's', __name__: 'n', empty: '' }),
      { externalURL: '', lifetimeMs: 1_000 },
    );
    expect(alert.labels).toMatchObject({ cluster: 'prod', severity: 'warning', alertname: 'OOMKilled' });
    expect(Object.keys(alert.labels)).not.toContain('empty');
    expect(Object.keys(alert.labels)).not.toContain('__name__');
    expect(alert.annotations).toEqual({ summary: 'OOMKilled: container api was killed', description: 'details' });
    expect(alert.generatorURL).toBe('');
  });

  it('puts long values in annotations', () => {
    const alert = postableAlertOf(stored({ trace: 't'.repeat(129), short: 't'.repeat(128) }), options);
    expect(alert.labels.short).toHaveLength(128);
    expect(alert.labels.trace).toBeUndefined();
    expect(alert.annotations.trace).toHaveLength(129);
  });
});

describe('postableAlertOf, in detail', () => {
  it('orders labels and annotations by name; of properties mapped to one annotation name the first wins', () => {
    const alert = postableAlertOf(
      stored({
        zone: 'z',
        'a-b': 'x'.repeat(200),
        a_b: 'label',
        'a.b': 'y'.repeat(200),
        Zeta: 'Z',
        'x.y': 'first',
        'x-y': 'second',
      }),
      { externalURL: 'http://gw', lifetimeMs: 1 },
    );
    expect(Object.keys(alert.labels)).toEqual([
      'Zeta',
      'a_b',
      'alertname',
      'cluster',
      'golden_signal',
      'opni_uuid',
      'severity',
      'zone',
    ]);
    expect(Object.keys(alert.annotations)).toEqual(['a_b', 'description', 'link', 'summary', 'x_y']);
    expect(alert.annotations).toMatchObject({ a_b: 'x'.repeat(200), x_y: 'first' });
  });

  it('writes startsAt and endsAt as toISOString does, across midnight and past year 9999', () => {
    const times = [
      0,
      86_399_999,
      86_400_000,
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      253_402_300_799_999,
      253_402_300_800_000,
    ];
    for (const at of times) {
      for (const lifetimeMs of [1, 3_600_000]) {
        const alert = postableAlertOf({ ...stored({}), receivedAt: new Date(at) }, { externalURL: '', lifetimeMs });
        expect([alert.startsAt, alert.endsAt]).toEqual([
          new Date(at).toISOString(),
          new Date(at + lifetimeMs).toISOString(),
        ]);
      }
    }
    expect(() =>
      postableAlertOf({ ...stored({}), receivedAt: new Date(NaN) }, { externalURL: '', lifetimeMs: 1 }),
    ).toThrow(RangeError);
  });
});

describe('alertnameOf', () => {
  it('prefers opni_group_key, then the title before ":", then the title', () => {
    expect(alertnameOf(stored({ opni_group_key: 'g' }))).toBe('g');
    expect(alertnameOf(stored({}, '  Disk   almost full  '))).toBe('Disk almost full');
    expect(alertnameOf(stored({}, 'x'.repeat(100)))).toHaveLength(64);
    expect(alertnameOf(stored({}, ''))).toBe('DownstreamNotification');
  });
});

import { alerting } from '@app/proto';
import { ALERTMANAGER_ZERO_TIME, fingerprintOf, labelsOf, webhookMessage } from './webhook-payload.js';

function stored(overrides: Partial<alerting.StoredNotification> = {}): alerting.StoredNotification {
  return {
    clusterId: 'prod-eu-1',
    id: 'a1b2c3',
    notification: {
      title: 'Disk almost full',
      body: '/var is 97% full on node-3',
      properties: {
        opni_uuid: 'a1b2c3',
        opni_severity: 'Critical',
        opni_goldenSignal: 'Saturation',
        opni_clusterId: 'prod-eu-1',
        opni_dedupe_key: 'disk-/var-node-3',
        node: 'node-3',
        'not a label': 'dropped',
        '9lives': 'dropped',
        __reserved: 'dropped',
        empty: '',
        severity: 'Info',
      },
    },
    severity: alerting.OpniSeverity.Critical,
    goldenSignal: alerting.GoldenSignal.Saturation,
    receivedAt: new Date('2026-03-01T12:34:56.789Z'),
    seq: 42n,
    ...overrides,
  };
}

describe('webhookMessage', () => {
  it('maps a stored notification to exactly this Alertmanager v4 payload', () => {
    const json = JSON.stringify(webhookMessage('ops', [stored()], 'https://gateway.example.com/'));
    // One alert: its labels and annotations are also the common ones.
    const labels = {
      alertname: 'Disk almost full',
      cluster_id: 'prod-eu-1',
      golden_signal: 'saturation',
      node: 'node-3',
      opni_dedupe_key: 'disk-/var-node-3',
      opni_uuid: 'a1b2c3',
      severity: 'critical',
    };
    const annotations = { description: '/var is 97% full on node-3', summary: 'Disk almost full' };

    expect(JSON.parse(json)).toEqual({
      receiver: 'ops',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations,
          startsAt: '2026-03-01T12:34:56.789Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'https://gateway.example.com/api/v1/notifications',
          fingerprint: '28d026f8d7c22f7c',
        },
      ],
      groupLabels: {},
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: 'https://gateway.example.com',
      version: '4',
      groupKey: '{}/{receiver="ops"}:{}',
      truncatedAlerts: 0,
    });
    // Field order as Alertmanager writes it; label keys sorted as Go writes maps.
    expect(Object.keys(JSON.parse(json))).toEqual([
      'receiver',
      'status',
      'alerts',
      'groupLabels',
      'commonLabels',
      'commonAnnotations',
      'externalURL',
      'version',
      'groupKey',
      'truncatedAlerts',
    ]);
    expect(json).toContain(
      '"labels":{"alertname":"Disk almost full","cluster_id":"prod-eu-1","golden_signal":"saturation","node":"node-3",' +
        '"opni_dedupe_key":"disk-/var-node-3","opni_uuid":"a1b2c3","severity":"critical"}',
    );
  });

  it('carries several alerts in one POST, oldest first, with only what they share as common labels', () => {
    const second = stored({
      id: 'd4e5f6',
      severity: alerting.OpniSeverity.Warning,
      notification: { title: 'Disk almost full', body: 'other', properties: { node: 'node-4' } },
      seq: 43n,
    });
    const message = webhookMessage('ops', [stored(), second], '');

    expect(message.alerts.map((alert) => alert.labels.opni_uuid)).toEqual(['a1b2c3', 'd4e5f6']);
    expect(message.alerts[1].fingerprint).toBe('1ac06d88ad2cd2ca');
    expect(message.commonLabels).toEqual({
      alertname: 'Disk almost full',
      cluster_id: 'prod-eu-1',
      golden_signal: 'saturation',
    });
    expect(message.commonAnnotations).toEqual({ summary: 'Disk almost full' });
    expect(message.externalURL).toBe('');
    expect(message.alerts[0].generatorURL).toBe('');
    expect(message.alerts[0].endsAt).toBe(ALERTMANAGER_ZERO_TIME);
  });
});

describe('labelsOf', () => {
  it('lets authenticated and typed values win over properties of the same name', () => {
    const labels = labelsOf(
      stored({
        clusterId: 'real-cluster',
        notification: {
          title: 't',
          body: '',
          properties: { cluster_id: 'spoofed', alertname: 'other', opni_uuid: 'spoofed', constructor: 'kept' },
        },
      }),
    );

    expect(labels).toEqual({
      alertname: 't',
      cluster_id: 'real-cluster',
      constructor: 'kept',
      golden_signal: 'saturation',
      opni_uuid: 'a1b2c3',
      severity: 'critical',
    });
  });
});

describe('fingerprintOf', () => {
  it('is 16 hex digits, stable, and tells (cluster, id) pairs apart', () => {
    expect(fingerprintOf('prod-eu-1', 'a1b2c3')).toBe('28d026f8d7c22f7c');
    expect(fingerprintOf('prod-eu-1', 'a1b2c3')).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf('a', 'bc')).not.toBe(fingerprintOf('ab', 'c'));
  });
});

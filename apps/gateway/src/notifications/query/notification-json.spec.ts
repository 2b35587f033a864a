import { alerting } from '@app/proto';
import { toNotificationJson } from './notification-json.js';

describe('toNotificationJson', () => {
  it('shows seq as a decimal string (exact past 2^53), enums by name, the time in RFC 3339', () => {
    const stored: alerting.StoredNotification = {
      clusterId: 'cluster-a',
      id: 'n-1',
      notification: { title: 'Disk full', body: '/var at 99%', properties: { opni_uuid: 'n-1', team: 'storage' } },
      severity: alerting.OpniSeverity.Critical,
      goldenSignal: alerting.GoldenSignal.Saturation,
      receivedAt: new Date('2030-01-31T12:00:00.123Z'),
      seq: 2n ** 53n + 1n,
    };

    expect(toNotificationJson(stored)).toEqual({
      seq: '9007199254740993',
      clusterId: 'cluster-a',
      id: 'n-1',
      title: 'Disk full',
      body: '/var at 99%',
      severity: 'Critical',
      goldenSignal: 'Saturation',
      receivedAt: '2030-01-31T12:00:00.123Z',
      properties: { opni_uuid: 'n-1', team: 'storage' },
    });
  });
});

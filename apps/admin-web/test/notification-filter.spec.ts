import type { NotificationJson } from '@app/admin-api';
import { matchesFilter, matchesText, NO_FILTER, severitiesFrom } from '../src/notifications/notification-filter.js';

const notification: NotificationJson = {
  seq: '1',
  clusterId: 'prod-eu',
  id: 'n-1',
  title: 'Disk almost full',
  body: '/var is 97% full',
  severity: 'Error',
  goldenSignal: 'Saturation',
  receivedAt: '2030-01-01T00:00:00.000Z',
  properties: { node: 'node-3' },
};

describe('notification filters (the page applies them in the browser)', () => {
  it('asks the list API for the minimum severity and everything more important', () => {
    expect(severitiesFrom('Info')).toEqual(['Info', 'Warning', 'Error', 'Critical']);
    expect(severitiesFrom('Error')).toEqual(['Error', 'Critical']);
  });

  it('matches text in any case in the title, body, id, cluster and properties', () => {
    for (const text of ['DISK', '97%', 'n-1', 'prod-eu', 'node-3', 'node', '  full  ', ''])
      expect([text, matchesText(notification, text)]).toEqual([text, true]);
    expect(matchesText(notification, 'memory')).toBe(false);
  });

  it('applies cluster, minimum severity, golden signal and text together', () => {
    expect(matchesFilter(notification, NO_FILTER)).toBe(true);
    expect(matchesFilter(notification, { ...NO_FILTER, minSeverity: 'Error' })).toBe(true);
    expect(matchesFilter(notification, { ...NO_FILTER, minSeverity: 'Critical' })).toBe(false);
    expect(matchesFilter(notification, { ...NO_FILTER, cluster: 'prod-us' })).toBe(false);
    expect(matchesFilter(notification, { ...NO_FILTER, goldenSignal: 'Latency' })).toBe(false);
    expect(matchesFilter(notification, { ...NO_FILTER, goldenSignal: 'Saturation', text: 'disk' })).toBe(true);
  });
});

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
  // As the gateway stores them: the id and the cluster are properties too.
  properties: { node: 'node-3', opni_uuid: 'n-1', opni_clusterId: 'prod-eu' },
};

describe('notification filters (the page applies them to what arrives live)', () => {
  it('asks the list API for the minimum severity and everything more important', () => {
    expect(severitiesFrom('Info')).toEqual(['Info', 'Warning', 'Error', 'Critical']);
    expect(severitiesFrom('Error')).toEqual(['Error', 'Critical']);
  });

  it("matches text as the gateway's q does: words starting words of the title, body and property values, any case", () => {
    for (const text of ['DISK', '97%', 'n-1', 'prod-eu', 'node-3', 'node', '  full  ', '', 'dis alm', '"disk"*'])
      expect([text, matchesText(notification, text)]).toEqual([text, true]);
    for (const text of ['memory', 'isk', 'disk memory', 'Saturation'])
      expect([text, matchesText(notification, text)]).toEqual([text, false]);
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

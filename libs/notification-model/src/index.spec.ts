import * as api from './index.js';
import * as limits from './notification-limits.js';
import * as normalize from './normalize-notification.js';
import * as properties from './properties.js';
import * as severity from './severity.js';

describe('@app/notification-model public API', () => {
  it('exports exactly the documented runtime values', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'NotificationProperty',
        'ALERTING_CAPABILITY',
        'SEVERITY_NAMES',
        'GOLDEN_SIGNAL_NAMES',
        'parseSeverityName',
        'parseGoldenSignalName',
        'severityOf',
        'withProperty',
        'severityName',
        'goldenSignalOf',
        'goldenSignalName',
        'priorityOf',
        'NotificationLimitSettings',
        'notificationLimits',
        'DEFAULT_NOTIFICATION_LIMITS',
        'normalizeNotification',
        'encodeNotification',
        'MAX_OCCURRENCES',
        'newNotificationId',
      ].sort(),
    );
  });

  it.each<[keyof typeof api, unknown]>([
    ['NotificationProperty', properties.NotificationProperty],
    ['SEVERITY_NAMES', severity.SEVERITY_NAMES],
    ['GOLDEN_SIGNAL_NAMES', severity.GOLDEN_SIGNAL_NAMES],
    ['parseSeverityName', severity.parseSeverityName],
    ['parseGoldenSignalName', severity.parseGoldenSignalName],
    ['severityOf', severity.severityOf],
    ['severityName', severity.severityName],
    ['goldenSignalOf', severity.goldenSignalOf],
    ['goldenSignalName', severity.goldenSignalName],
    ['priorityOf', severity.priorityOf],
    ['NotificationLimitSettings', limits.NotificationLimitSettings],
    ['notificationLimits', limits.notificationLimits],
    ['DEFAULT_NOTIFICATION_LIMITS', limits.DEFAULT_NOTIFICATION_LIMITS],
    ['normalizeNotification', normalize.normalizeNotification],
    ['encodeNotification', normalize.encodeNotification],
    ['MAX_OCCURRENCES', normalize.MAX_OCCURRENCES],
  ])('re-exports %s from its module', (name, value) => {
    expect(api[name]).toBe(value);
  });

  it('works end to end through the barrel', () => {
    const result = api.normalizeNotification(
      { title: 'Disk full', body: '99%', properties: { opni_severity: 'critical' } },
      api.DEFAULT_NOTIFICATION_LIMITS,
    );

    expect(api.severityName(result.severity)).toBe('Critical');
    expect(api.priorityOf(result.severity)).toBe(3);
    expect(result.notification.properties[api.NotificationProperty.goldenSignal]).toBe('Custom');
  });
});

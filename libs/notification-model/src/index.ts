// Public API of @app/notification-model: the notification model both apps share —
// well-known properties, severities and golden signals, defaults, validation
// with size limits, and the queue priority derived from severity.
export { NotificationProperty, ALERTING_CAPABILITY } from './properties.js';
export { newNotificationId } from './notification-id.js';
export {
  SEVERITY_NAMES,
  GOLDEN_SIGNAL_NAMES,
  parseSeverityName,
  parseGoldenSignalName,
  severityOf,
  severityName,
  goldenSignalOf,
  goldenSignalName,
  priorityOf,
  type Severity,
  type SeverityName,
  type GoldenSignalName,
} from './severity.js';
export {
  NotificationLimitSettings,
  notificationLimits,
  DEFAULT_NOTIFICATION_LIMITS,
  type NotificationLimits,
} from './notification-limits.js';
export {
  normalizeNotification,
  MAX_OCCURRENCES,
  encodeNotification,
  withProperty,
  type NormalizedNotification,
} from './normalize-notification.js';

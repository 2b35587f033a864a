export type { AlertingState, ClusterListJson, ClusterSortKey, ClusterView, HealthView } from './clusters.js';
export { ALERTING_STATES, CLUSTER_SORT_KEYS } from './clusters.js';
export type { InstallView, NodeStatusView, TaskStatusView } from './alerting.js';
export { GOLDEN_SIGNALS, NOTIFICATION_ORDERS, SEVERITIES } from './notifications.js';
export type {
  GoldenSignal,
  NotificationOrder,
  NotificationCountsJson,
  NotificationJson,
  NotificationListJson,
  Severity,
} from './notifications.js';
export type { CreatedTokenView, NewTokenRequest, TokenState, TokenView } from './tokens.js';
export { JOIN_CLUSTER_ID_DEFAULT } from './tokens.js';
export type { AlertmanagerErrorJson, AlertmanagerTargetJson, AlertmanagerTargetListJson } from './alertmanagers.js';
export {
  matchesSearch,
  MAX_INDEXED_WORDS,
  MAX_SEARCH_LENGTH,
  MAX_SEARCH_WORDS,
  notificationWords,
  SEARCH_WORD_LENGTH,
  searchWords,
} from './notification-search.js';
export type { SearchedFields } from './notification-search.js';

import { DELIVERY_LEASE_MIGRATIONS } from './delivery-lease-migrations.js';
import { ENROLMENT_MIGRATIONS } from './enrolment-migrations.js';
import { NOTIFICATION_MIGRATIONS } from './notification-migrations.js';
import { NOTIFICATION_SEARCH_MIGRATIONS } from './notification-search-migrations.js';
import { SESSION_MIGRATIONS } from './postgres-session-migrations.js';
import { RECEIVER_PROGRESS_MIGRATIONS } from './receiver-progress-migrations.js';
import type { Migration } from './schema-migrations.js';
import { TASK_MIGRATIONS } from './task-migrations.js';

/**
 * Every migration of the gateway's PostgreSQL schema, in order. Each store's
 * tables come as they are added (clusters, tokens, delivery progress, tasks
 * and node state follow the notifications): append, never renumber.
 */
export const GATEWAY_MIGRATIONS: readonly Migration[] = [
  ...NOTIFICATION_MIGRATIONS,
  ...ENROLMENT_MIGRATIONS,
  ...RECEIVER_PROGRESS_MIGRATIONS,
  ...TASK_MIGRATIONS,
  ...NOTIFICATION_SEARCH_MIGRATIONS,
  ...SESSION_MIGRATIONS,
  ...DELIVERY_LEASE_MIGRATIONS,
];

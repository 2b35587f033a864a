// Public API of @app/notifier-client: the client applications use to hand
// notifications to their cluster's agent — a plain class, and a Nest module
// that provides it.
export { NotifierClient } from './notifier-client.js';
export { NotifierModule } from './notifier.module.js';
export type { NotifierAsyncOptions } from './notifier.module-definition.js';
export {
  DEFAULT_RETRY_POLICY,
  DEFAULT_TIMEOUT_MS,
  type NotifierOptions,
  type NotifierRetryPolicy,
  type NotifyRetry,
  type ResolvedNotifierOptions,
} from './notifier-options.js';
export type { NotifyInput, NotifyResult } from './notify-input.js';
export {
  NotifierError,
  InvalidNotificationError,
  AgentQueueFullError,
  AgentUnreachableError,
  NotifyFailedError,
} from './notifier-errors.js';

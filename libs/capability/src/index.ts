// Public API of @app/capability: the capability kit apps build a capability
// with — the Backend lifecycle (install, status, asynchronous uninstall) over
// ports the gateway implements, persisted cancelable tasks and their status as
// core.TaskStatus, a node's configuration sync (gateway side) and a node's
// health conditions.
export {
  ACTIVE_TASK_STATES,
  isActive,
  type TaskRecord,
  type TaskLogEntry,
  type TaskLogLevel,
  type TaskTransition,
} from './task/task.js';
export { TASK_STORE, type TaskStore } from './task/task-store.js';
export { SqliteTaskStore, TASKS_SCHEMA_VERSION, type SqliteTaskStoreOptions } from './task/sqlite-task-store.js';
export { TaskController } from './task/task-controller.js';
export type { TaskControllerOptions, TaskRunner, RunningTask, StartTaskOptions } from './task/task-runner.js';
export { taskStatus, TASK_LOG_LEVEL_VALUES } from './task/task-status.js';
export { CapabilityBackend, type CapabilityBackendOptions } from './backend/capability-backend.js';
// How adapters outside the library (the gateway's PostgreSQL one) store a record the way SqliteTaskStore does.
export { storedTaskBody, taskFromRowOrSkip, type StoredTaskBody, type StoredTaskRow } from './task/stored-task-body.js';
export type { CapabilityDriver, UninstallInput } from './backend/capability-driver.js';
export { NODE_REACH, type ClusterCapabilities, type NodeStatuses, type NodeReach } from './backend/capability-ports.js';
export {
  NodeConfigSync,
  type NodeConfigs,
  type NodeSyncAnswer,
  type NodeSyncReport,
  type RevisedNodeConfig,
} from './backend/node-config-sync.js';
export { parseUninstallOptions, type UninstallOptions } from './backend/uninstall-options.js';
export { ConditionTracker, type ConditionStatus } from './conditions/condition-tracker.js';

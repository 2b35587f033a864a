// Public API of @app/capability: the capability kit apps build a capability
// Backend with — persisted, cancelable tasks (the uninstall task) and their
// status as core.TaskStatus.
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
export {
  TaskController,
  type TaskControllerOptions,
  type TaskRunner,
  type RunningTask,
  type StartTaskOptions,
} from './task/task-controller.js';
export { taskStatus, TASK_LOG_LEVEL_VALUES } from './task/task-status.js';

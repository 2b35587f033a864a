import type { core } from '@app/proto';
import type { TaskLogLevel, TaskRecord } from './task.js';

/**
 * core.LogEntry.level of each log level. core.proto leaves the int32 open; the
 * original system (Opni's task controller) stores Go log/slog levels there, so
 * we do too and its clients read our levels alike: debug -4, info 0, warn 4,
 * error 8 (larger is more severe; a reader may bucket values in between).
 */
export const TASK_LOG_LEVEL_VALUES: Readonly<Record<TaskLogLevel, number>> = {
  debug: -4,
  info: 0,
  warn: 4,
  error: 8,
};

/** A task as served: TaskStatus of core.proto, metadata as a JSON document. */
export function taskStatus(record: TaskRecord): core.TaskStatus {
  return {
    state: record.state,
    progress: record.progress && {
      current: BigInt(record.progress.current),
      total: BigInt(record.progress.total),
    },
    metadata: JSON.stringify(record.metadata),
    logs: record.logs.map((entry) => ({
      timestamp: entry.timestamp,
      msg: entry.msg,
      level: TASK_LOG_LEVEL_VALUES[entry.level],
    })),
    transitions: record.transitions.map((transition) => ({
      state: transition.state,
      timestamp: transition.timestamp,
    })),
  };
}

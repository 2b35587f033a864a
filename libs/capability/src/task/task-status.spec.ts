import { core } from '@app/proto';
import { taskStatus } from './task-status.js';
import type { TaskRecord } from './task.js';

describe('taskStatus', () => {
  const at = (iso: string) => new Date(`2026-11-29T${iso}Z`);
  const record: TaskRecord = {
    id: 'alerting/uninstall/c1',
    kind: 'alerting.uninstall',
    input: { cluster: 'c1' },
    state: core.TaskState.Failed,
    notBefore: at('09:00:00'),
    progress: { current: 3, total: 4 },
    metadata: { deleteData: true },
    logs: [
      { timestamp: at('09:00:01'), msg: 'details', level: 'debug' },
      { timestamp: at('09:00:02'), msg: 'deleting rules', level: 'info' },
      { timestamp: at('09:00:03'), msg: 'slow', level: 'warn' },
      { timestamp: at('09:00:04'), msg: 'boom', level: 'error' },
    ],
    transitions: [
      { state: core.TaskState.Pending, timestamp: at('08:59:00') },
      { state: core.TaskState.Running, timestamp: at('09:00:00') },
      { state: core.TaskState.Failed, timestamp: at('09:00:04') },
    ],
  };

  it('serves state, progress as uint64, metadata as JSON, logs with slog levels and the transitions', () => {
    const status = taskStatus(record);
    expect(status).toEqual({
      state: core.TaskState.Failed,
      progress: { current: 3n, total: 4n },
      metadata: '{"deleteData":true}',
      logs: [
        { timestamp: at('09:00:01'), msg: 'details', level: -4 },
        { timestamp: at('09:00:02'), msg: 'deleting rules', level: 0 },
        { timestamp: at('09:00:03'), msg: 'slow', level: 4 },
        { timestamp: at('09:00:04'), msg: 'boom', level: 8 },
      ],
      transitions: record.transitions,
    });
    // It encodes as the wire message, and decodes back to the same status.
    expect(core.TaskStatus.decode(core.TaskStatus.encode(status).finish())).toEqual(status);
  });

  it('leaves progress unset before the runner reports any, and serves empty metadata as {}', () => {
    const { progress: _, ...fresh } = { ...record, metadata: {}, state: core.TaskState.Pending };
    expect(taskStatus(fresh)).toMatchObject({ progress: undefined, metadata: '{}' });
  });
});

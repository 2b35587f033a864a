import type { TaskStatusView } from '@app/admin-api';
import { TimeText } from '../time-text.js';

/** The original system's log level numbers. */
function levelName(level: number): string {
  if (level >= 8) return 'error';
  if (level >= 4) return 'warn';
  if (level >= 0) return 'info';
  return 'debug';
}

/** The last (or current) uninstall task: state, progress, transitions and logs. */
export function UninstallTask({ task, headingId }: { task: TaskStatusView; headingId: string }) {
  return (
    <div class="task" aria-labelledby={headingId} role="group">
      <h5 id={headingId}>
        Uninstall task: <span class={`task-state task-${task.state.toLowerCase()}`}>{task.state}</span>
      </h5>
      {task.progress && task.progress.total > 0 && (
        <p>
          <label>
            Progress{' '}
            <progress value={task.progress.current} max={task.progress.total}>
              {task.progress.current} of {task.progress.total}
            </progress>{' '}
            {task.progress.current} of {task.progress.total} steps
          </label>
        </p>
      )}
      <ol class="transitions" aria-label="Transitions">
        {task.transitions.map((transition, index) => (
          <li key={index}>
            {transition.state} <TimeText iso={transition.timestamp} />
          </li>
        ))}
      </ol>
      {task.logs.length > 0 && (
        <details>
          <summary>
            Log ({task.logs.length} {task.logs.length === 1 ? 'line' : 'lines'})
          </summary>
          <ul class="task-log">
            {task.logs.map((entry, index) => (
              <li key={index} class={`log-${levelName(entry.level)}`}>
                <TimeText iso={entry.timestamp} /> [{levelName(entry.level)}] {entry.msg}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

import { SEVERITIES, type NotificationCountsJson, type Severity } from '@app/admin-api';

interface Props {
  counts: NotificationCountsJson | undefined;
  selected: Severity[];
  onChange(selected: Severity[]): void;
}

/** One toggle per severity with how many stored notifications match the other filters; none pressed: all. */
export function SeverityChips({ counts, selected, onChange }: Props) {
  return (
    <div class="severity-chips" role="group" aria-label="Severities">
      {[...SEVERITIES].reverse().map((severity) => {
        const pressed = selected.includes(severity);
        return (
          <button
            key={severity}
            type="button"
            class={`chip severity-${severity.toLowerCase()}${pressed ? ' pressed' : ''}`}
            aria-pressed={pressed}
            onClick={() => onChange(pressed ? selected.filter((s) => s !== severity) : [...selected, severity])}
          >
            {severity} <span class="chip-count">{counts === undefined ? '…' : counts.bySeverity[severity]}</span>
          </button>
        );
      })}
      {selected.length > 0 && (
        <button type="button" class="secondary" onClick={() => onChange([])}>
          All severities
        </button>
      )}
    </div>
  );
}

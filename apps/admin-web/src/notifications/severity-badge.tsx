import type { Severity } from '@app/admin-api';

/** A severity by colour and by word (colour alone would not reach everyone). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span class={`severity severity-${severity.toLowerCase()}`}>{severity}</span>;
}

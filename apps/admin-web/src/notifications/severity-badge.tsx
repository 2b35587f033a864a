import type { Severity } from '../api/api-types.js';

/** A severity by colour and by word (colour alone would not reach everyone). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span class={`severity severity-${severity.toLowerCase()}`}>{severity}</span>;
}

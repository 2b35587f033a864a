import type { HealthView } from '@app/admin-api';
import { healthSummary } from './health-summary.js';

/** The agent's health as a tinted word: green ready, grey by choice (not installed), amber pending, red failures. */
export function HealthBadge({ health }: { health: HealthView }) {
  const { tone, text } = healthSummary(health);
  return (
    <span class={`health-badge tone-${tone}`} data-testid="health-badge" data-tone={tone}>
      {text}
    </span>
  );
}

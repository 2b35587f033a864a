import type { HealthView } from '@app/admin-api';

/** ok: green; neutral: nothing wrong (e.g. not installed); warn: on its way; bad: a failure or a loss. */
export type Tone = 'ok' | 'neutral' | 'warn' | 'bad';

const RANK: Record<Tone, number> = { ok: 0, neutral: 1, warn: 2, bad: 3 };

/** Queue counters that count notifications lost or set aside: any of them above 0 is a failure. */
export const LOSS_FIGURES = ['queue.evicted', 'queue.rejected', 'queue.deadLettered', 'queue.corrupt'];

/** What people call a condition ("<Key> <Status>", as the agent's ConditionTracker writes them). */
const PLAIN_WORDS: Record<string, string> = { 'Backend Disabled': 'Alerting not installed' };

/** A condition's tone from its status word: Failure is bad, Pending on its way, Disabled a choice. */
function conditionTone(condition: string): Tone {
  if (condition.endsWith(' Failure')) return 'bad';
  if (condition.endsWith(' Pending')) return 'warn';
  if (condition.endsWith(' Disabled')) return 'neutral';
  return 'warn'; // a condition we do not know: not green, not an incident either
}

export interface HealthSummary {
  tone: Tone;
  /** Short, in words: "Ready", "Alerting not installed", "Config Sync Failure; 3 evicted". */
  text: string;
}

/** The agent's health in one tone and a few words: red only for failures and losses. */
export function healthSummary(health: HealthView): HealthSummary {
  let tone: Tone = health.ready ? 'ok' : 'neutral';
  const parts: string[] = [];
  for (const condition of health.conditions) {
    const next = conditionTone(condition);
    if (RANK[next] > RANK[tone]) tone = next;
    parts.push(PLAIN_WORDS[condition] ?? condition);
  }
  for (const key of LOSS_FIGURES) {
    const count = Number(health.annotations[key] ?? '0');
    if (count > 0) {
      tone = 'bad';
      parts.push(`${count} ${key.slice('queue.'.length)}`);
    }
  }
  if (parts.length === 0) return { tone: 'ok', text: 'Ready' };
  // Ready with losses: say both, so a green word never hides a loss.
  return { tone, text: health.ready ? `Ready; ${parts.join('; ')}` : parts.join('; ') };
}

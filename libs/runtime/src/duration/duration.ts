/** A duration as people write it in settings and API options: a whole number with a unit, e.g. 90s, 15m, 7d. */
export const DURATION_PATTERN = /^(\d{1,15})(ms|s|m|h|d)$/;

/** The longest duration accepted anywhere: ten years (3650d). Longer ones are refused, not clamped. */
export const MAX_DURATION_MS = 3650 * 86_400_000;

export const DURATION_RULE = 'a whole number with a unit: ms, s, m, h or d (e.g. 90s, 15m, 7d), at most 3650d';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration such as "90s"; undefined when `text` is not one or is longer than MAX_DURATION_MS (see DURATION_RULE). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

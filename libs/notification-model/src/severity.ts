import { alerting } from '@app/proto';

const { OpniSeverity, GoldenSignal } = alerting;
export type Severity = alerting.OpniSeverity;

/** Canonical names, least important first (their index is the enum value). */
export const SEVERITY_NAMES = ['Info', 'Warning', 'Error', 'Critical'] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];
export const GOLDEN_SIGNAL_NAMES = ['Custom', 'Errors', 'Saturation', 'Traffic', 'Latency'] as const;
export type GoldenSignalName = (typeof GOLDEN_SIGNAL_NAMES)[number];

function parser<N extends string>(names: readonly N[]): (text: string) => N | undefined {
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  return (text) => byLowerCase.get(text.trim().toLowerCase());
}

/** A severity name, case-insensitive ("critical" → "Critical"); undefined if unknown. */
export const parseSeverityName = parser(SEVERITY_NAMES);
/** A golden signal name, case-insensitive; undefined if unknown. */
export const parseGoldenSignalName = parser(GOLDEN_SIGNAL_NAMES);

export function severityOf(name: SeverityName): Severity {
  return OpniSeverity[name];
}

export function severityName(severity: Severity): SeverityName {
  return SEVERITY_NAMES[severity as number] ?? 'Info';
}

export function goldenSignalName(signal: alerting.GoldenSignal): GoldenSignalName {
  return GOLDEN_SIGNAL_NAMES[signal as number] ?? 'Custom';
}

export function goldenSignalOf(name: GoldenSignalName): alerting.GoldenSignal {
  return GoldenSignal[name];
}

/**
 * Queue priority of a severity: higher drains first. Equal to the enum value
 * (Info 0 … Critical 3) so stored priorities read the same as severities.
 */
export function priorityOf(severity: Severity): number {
  return severity;
}

/** What downstream-notify's exit status means; scripts branch on these. */
export const ExitCode = {
  /** The agent stored the notification (queued, or coalesced into a queued one). */
  Accepted: 0,
  /** The agent answered with an error, e.g. INVALID_ARGUMENT or RESOURCE_EXHAUSTED: retrying the same call will not help. */
  Refused: 1,
  /** Bad command line (unknown flag, missing --title or --body, bad --severity …): nothing was sent. */
  Usage: 2,
  /** No answer: the agent is unreachable (UNAVAILABLE) or too slow (DEADLINE_EXCEEDED): retrying may help. */
  Unreachable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

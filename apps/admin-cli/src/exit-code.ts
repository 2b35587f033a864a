/** What downstream-admin's exit status means; scripts branch on these. */
export const ExitCode = {
  /** Done: the gateway did what was asked (for a waited-for uninstall: the task completed). */
  Ok: 0,
  /** The gateway refused the request (400 bad input, 409 conflict, 429, 500 …): retrying the same call will not help. */
  Refused: 1,
  /** Bad command line or configuration (unknown flag, bad --output, unreadable config file …): nothing was sent. */
  Usage: 2,
  /** No answer: the gateway is unreachable, too slow (--timeout), or answered 502/503/504: retrying may help. */
  Unreachable: 3,
  /** 401/403: no admin token, or a wrong one. */
  Unauthenticated: 4,
  /** 404: no such cluster, token or uninstall task. */
  NotFound: 5,
  /** A waited-for uninstall task ended Failed or Canceled. */
  TaskFailed: 6,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

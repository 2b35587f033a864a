import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';

/** One call of a Nest logger: its level, first argument (our structured fields) and message. */
export interface LoggedLine {
  level: string;
  fields: unknown;
  message: unknown;
}

/**
 * Routes Nest's Logger into the returned array for the test file (registers
 * beforeAll/afterAll), so that tests assert on what was logged instead of
 * printing it. Empty the array (`length = 0`) to start afresh.
 */
export function captureNestLogs(): LoggedLine[] {
  const logged: LoggedLine[] = [];
  const capture =
    (level: string) =>
    (fields: unknown, message?: unknown): void =>
      void logged.push({ level, fields, message });
  const logger: LoggerService = {
    log: capture('log'),
    warn: capture('warn'),
    error: capture('error'),
    debug: capture('debug'),
    verbose: capture('verbose'),
  };
  beforeAll(() => Logger.overrideLogger(logger));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
  return logged;
}

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
  const logger = capturingLogger(logged);
  beforeAll(() => Logger.overrideLogger(logger));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
  return logged;
}

/**
 * A Nest LoggerService that appends every call to `into`: for a testing module
 * (`Test.createTestingModule(…).setLogger(…)`), whose compile replaces the
 * static logger captureNestLogs overrides.
 */
export function capturingLogger(into: LoggedLine[]): LoggerService {
  const capture =
    (level: string) =>
    (fields: unknown, message?: unknown): void =>
      void into.push({ level, fields, message });
  return {
    log: capture('log'),
    warn: capture('warn'),
    error: capture('error'),
    debug: capture('debug'),
    verbose: capture('verbose'),
  };
}

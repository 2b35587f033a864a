import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  AgentUnreachableError,
  NotifierError,
  type NotifierOptions,
  type NotifyInput,
  type NotifyResult,
} from '@app/notifier-client';
import { ExitCode } from './exit-code.js';
import { PROGRAM_NAME, type NotifyOptions } from './options.js';

/** The notifier's settings for parsed options: calls and retries all end within --timeout. */
export function notifierOptions({ agent, timeoutSeconds }: NotifyOptions): NotifierOptions {
  const timeoutMs = timeoutSeconds * 1000;
  return { agentAddress: agent, timeoutMs, retry: { maxAttempts: Infinity, maxElapsedMs: timeoutMs } };
}

/** The notification for parsed options; `body` is the resolved body (stdin already read). */
export function notifyInput(options: NotifyOptions, body: string): NotifyInput {
  const { title, severity, goldenSignal, dedupeKey, properties, id } = options;
  return { title, body, severity, goldenSignal, dedupeKey, properties, id };
}

/** The line printed on success: `queued <id>` or `coalesced into <id>` (or the response as JSON). */
export function describeSuccess(result: Pick<NotifyResult, 'id' | 'coalesced'>, json: boolean): string {
  if (json) return JSON.stringify({ id: result.id, coalesced: result.coalesced });
  return result.coalesced ? `coalesced into ${result.id}` : `queued ${result.id}`;
}

/**
 * What a failed notify means for the caller: the exit code, and the message
 * for stderr (`downstream-notify: <STATUS>: <the agent's message>`, plus a
 * hint naming the address when the agent could not be reached).
 */
export function describeFailure(
  error: unknown,
  { agent, timeoutSeconds }: Pick<NotifyOptions, 'agent' | 'timeoutSeconds'>,
): { exitCode: ExitCode; message: string } {
  if (!(error instanceof NotifierError)) {
    const reason = error instanceof Error ? error.message : String(error);
    return { exitCode: ExitCode.Refused, message: `${PROGRAM_NAME}: ${reason}` };
  }
  const line = `${PROGRAM_NAME}: ${error.message}`;
  if (!(error instanceof AgentUnreachableError)) return { exitCode: ExitCode.Refused, message: line };
  const tries = `${error.attempts} ${error.attempts === 1 ? 'attempt' : 'attempts'}`;
  const hint =
    error.code === GrpcStatus.DEADLINE_EXCEEDED
      ? `the agent at ${agent} did not answer within ${timeoutSeconds} s (${tries}; raise --timeout?). ` +
        `It may have stored the notification anyway`
      : `no agent answered at ${agent} within ${timeoutSeconds} s (${tries}); is it running there? ` +
        `Set --agent or AGENT_ADDRESS to its gRPC address`;
  // An earlier attempt may have been stored even when the last one was refused: only the same id is safe.
  const retry = `retry with --id ${error.notificationId} to avoid a duplicate.`;
  return { exitCode: ExitCode.Unreachable, message: `${line}\n${PROGRAM_NAME}: ${hint}; ${retry}` };
}

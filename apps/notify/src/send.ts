import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { NotificationProperty } from '@app/notification';
import { alerting } from '@app/proto';
import { createUnaryClient } from '@app/runtime';
import { ExitCode } from './exit-code.js';
import { PROGRAM_NAME, type NotifyOptions } from './options.js';

/** Calls Notify on the agent at `address`, giving up after `timeoutMs`. */
export type Sender = (
  address: string,
  request: alerting.AgentNotification,
  timeoutMs: number,
) => Promise<alerting.NotifyResponse>;

/** The real Sender: one grpc-js client for one call, closed afterwards. */
export const sendNotification: Sender = async (address, request, timeoutMs) => {
  const client = createUnaryClient('alerting.NotificationService', address);
  try {
    return await client.notify(request, { deadline: Date.now() + timeoutMs });
  } finally {
    client.close();
  }
};

/** The Notify request for parsed options; `body` is the resolved body (stdin already read). */
export function buildRequest(options: NotifyOptions, body: string): alerting.AgentNotification {
  const properties: Record<string, string> = {
    ...options.properties,
    [NotificationProperty.severity]: options.severity,
  };
  if (options.goldenSignal !== undefined) properties[NotificationProperty.goldenSignal] = options.goldenSignal;
  if (options.dedupeKey !== undefined) properties[NotificationProperty.dedupeKey] = options.dedupeKey;
  return { id: options.id ?? '', message: { title: options.title, body, properties } };
}

/** The line printed on success: `queued <id>` or `coalesced into <id>` (or the response as JSON). */
export function describeSuccess(response: alerting.NotifyResponse, json: boolean): string {
  if (json) return JSON.stringify({ id: response.id, coalesced: response.coalesced });
  return response.coalesced ? `coalesced into ${response.id}` : `queued ${response.id}`;
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

/**
 * What a failed call means for the caller: the exit code, and the message for
 * stderr (`downstream-notify: <STATUS>: <the agent's message>`, plus a hint
 * naming the address when the agent could not be reached).
 */
export function describeFailure(
  error: unknown,
  { agent, timeoutSeconds }: Pick<NotifyOptions, 'agent' | 'timeoutSeconds'>,
): { exitCode: ExitCode; message: string } {
  if (!isServiceError(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return { exitCode: ExitCode.Refused, message: `${PROGRAM_NAME}: ${reason}` };
  }
  const statusName = GrpcStatus[error.code] ?? `status ${error.code}`;
  const line = `${PROGRAM_NAME}: ${statusName}: ${String(error.details).trimEnd()}`;
  switch (error.code) {
    case GrpcStatus.UNAVAILABLE:
      return {
        exitCode: ExitCode.Unreachable,
        message:
          `${line}\n${PROGRAM_NAME}: no agent answered at ${agent}; is it running there? ` +
          `Set --agent or AGENT_ADDRESS to its gRPC address.`,
      };
    case GrpcStatus.DEADLINE_EXCEEDED:
      return {
        exitCode: ExitCode.Unreachable,
        message:
          `${line}\n${PROGRAM_NAME}: the agent at ${agent} did not answer within ${timeoutSeconds} s ` +
          `(raise --timeout?). It may have stored the notification anyway: retry with the same --id to avoid a duplicate.`,
      };
    default:
      return { exitCode: ExitCode.Refused, message: line };
  }
}

import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/**
 * Why a notification was not accepted. Every failure of NotifierClient.notify
 * is one of the subclasses; each names the gRPC status, the agent's message,
 * the notification's id (send it again with that id and it cannot double) and
 * how many calls were made.
 */
export abstract class NotifierError extends Error {
  constructor(
    readonly code: GrpcStatus,
    readonly details: string,
    readonly notificationId: string,
    readonly attempts: number,
  ) {
    super(`${GrpcStatus[code] ?? `status ${code}`}: ${details}`);
  }
}

/** INVALID_ARGUMENT: the agent refused the content; `field` is what it named (`<field>: <reason>`), if it did. */
export class InvalidNotificationError extends NotifierError {
  override readonly name = 'InvalidNotificationError';
  readonly field: string | undefined;
  readonly reason: string;

  constructor(details: string, notificationId: string, attempts: number) {
    super(GrpcStatus.INVALID_ARGUMENT, details, notificationId, attempts);
    const named = FIELD_AND_REASON.exec(details);
    this.field = named?.[1];
    this.reason = named?.[2] ?? details;
  }
}

/** RESOURCE_EXHAUSTED: the agent's queue is full of notifications at least as important. */
export class AgentQueueFullError extends NotifierError {
  override readonly name = 'AgentQueueFullError';
}

/** UNAVAILABLE or DEADLINE_EXCEEDED on every attempt of the retry budget: sending again later may succeed. */
export class AgentUnreachableError extends NotifierError {
  override readonly name = 'AgentUnreachableError';
}

/** Any other status (UNIMPLEMENTED, INTERNAL, CANCELLED when the client was closed, …). */
export class NotifyFailedError extends NotifierError {
  override readonly name = 'NotifyFailedError';
}

/** A field path as the agent writes it: `message.title`, `id`, `message.properties["opni_severity"]`. */
const FIELD_AND_REASON = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\["(?:[^"\\]|\\.)*"\]|\[\d+\])*): ([\s\S]*)$/;

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

/** The NotifierError for a failed call (anything not a gRPC status counts as UNKNOWN). */
export function notifierError(error: unknown, notificationId: string, attempts: number): NotifierError {
  if (!isServiceError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new NotifyFailedError(GrpcStatus.UNKNOWN, message, notificationId, attempts);
  }
  const details = String(error.details).trimEnd();
  switch (error.code) {
    case GrpcStatus.INVALID_ARGUMENT:
      return new InvalidNotificationError(details, notificationId, attempts);
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return new AgentQueueFullError(error.code, details, notificationId, attempts);
    // The two statuses worth another call with the same id.
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new AgentUnreachableError(error.code, details, notificationId, attempts);
    default:
      return new NotifyFailedError(error.code, details, notificationId, attempts);
  }
}

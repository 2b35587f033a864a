import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Every error we raise on purpose is an AppError: its kind decides the gRPC
 * status and the HTTP status, in one table (ERROR_STATUS), so handlers never
 * pick codes themselves. Anything else that escapes a handler is INTERNAL / 500.
 */
export type ErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'already-exists'
  | 'failed-precondition'
  | 'resource-exhausted'
  | 'unauthenticated'
  | 'unavailable';

export const ERROR_STATUS: Record<ErrorKind, { grpc: GrpcStatus; http: number }> = {
  'invalid-argument': { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400 },
  'not-found': { grpc: GrpcStatus.NOT_FOUND, http: 404 },
  'already-exists': { grpc: GrpcStatus.ALREADY_EXISTS, http: 409 },
  'failed-precondition': { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  'resource-exhausted': { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 429 },
  unauthenticated: { grpc: GrpcStatus.UNAUTHENTICATED, http: 401 },
  unavailable: { grpc: GrpcStatus.UNAVAILABLE, http: 503 },
};

export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    // Each subclass is named for itself (InvalidArgumentError, ...), as `error.name` shows.
    this.name = new.target.name;
  }
}

/** The request is malformed; `field` names what is wrong, e.g. "message.title". */
export class InvalidArgumentError extends AppError {
  readonly kind = 'invalid-argument';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export class NotFoundError extends AppError {
  readonly kind = 'not-found';
}

export class AlreadyExistsError extends AppError {
  readonly kind = 'already-exists';
}

/** The caller did not prove who it is (no, unknown or bad credentials); the message says which, never a secret. */
export class UnauthenticatedError extends AppError {
  readonly kind = 'unauthenticated';
}

export class FailedPreconditionError extends AppError {
  readonly kind = 'failed-precondition';
}

export class ResourceExhaustedError extends AppError {
  readonly kind = 'resource-exhausted';
}

export class UnavailableError extends AppError {
  readonly kind = 'unavailable';
}

import {
  AlreadyExistsError,
  AppError,
  ERROR_STATUS,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from './app-error.js';

describe('AppError subclasses', () => {
  it.each([
    [new InvalidArgumentError('message.title', 'is required'), 'InvalidArgumentError', 'invalid-argument'],
    [new NotFoundError('x'), 'NotFoundError', 'not-found'],
    [new AlreadyExistsError('x'), 'AlreadyExistsError', 'already-exists'],
    [new UnauthenticatedError('x'), 'UnauthenticatedError', 'unauthenticated'],
    [new FailedPreconditionError('x'), 'FailedPreconditionError', 'failed-precondition'],
    [new ResourceExhaustedError('x'), 'ResourceExhaustedError', 'resource-exhausted'],
    [new UnavailableError('x'), 'UnavailableError', 'unavailable'],
  ])('%s is named %s, of kind %s', (error, name, kind) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error.name).toBe(name);
    expect(error.kind).toBe(kind);
    expect(ERROR_STATUS[error.kind]).toBeDefined();
    expect(String(error)).toBe(`${name}: ${error.message}`);
    expect(error.stack?.startsWith(`${name}: ${error.message}`)).toBe(true);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('disk full');
    expect(new UnavailableError('store unavailable', { cause }).cause).toBe(cause);
  });
});

import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  AgentQueueFullError,
  AgentUnreachableError,
  InvalidNotificationError,
  NotifyFailedError,
  notifierError,
} from './notifier-errors.js';

function serviceError(code: GrpcStatus, details: string): Error {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

describe('InvalidNotificationError', () => {
  it.each([
    ['message.title: is required and must not be blank', 'message.title', 'is required and must not be blank'],
    ['id: is 300 bytes; at most 256 are allowed', 'id', 'is 300 bytes; at most 256 are allowed'],
    ['message.properties["a: b"]: is too long', 'message.properties["a: b"]', 'is too long'],
    ['message.properties["x\\"y"]: bad', 'message.properties["x\\"y"]', 'bad'],
    ['message.properties: has 65 entries\nat most 64', 'message.properties', 'has 65 entries\nat most 64'],
  ])('reads the field of %j', (details, field, reason) => {
    expect(new InvalidNotificationError(details, 'n', 1)).toMatchObject({ field, reason, details });
  });

  it.each(['the notification is invalid', 'bad title: too long', ''])('names no field in %j', (details) => {
    expect(new InvalidNotificationError(details, 'n', 1)).toMatchObject({ field: undefined, reason: details });
  });
});

describe('notifierError', () => {
  it.each([
    [GrpcStatus.INVALID_ARGUMENT, InvalidNotificationError],
    [GrpcStatus.RESOURCE_EXHAUSTED, AgentQueueFullError],
    [GrpcStatus.UNAVAILABLE, AgentUnreachableError],
    [GrpcStatus.DEADLINE_EXCEEDED, AgentUnreachableError],
    [GrpcStatus.UNIMPLEMENTED, NotifyFailedError],
    [GrpcStatus.CANCELLED, NotifyFailedError],
  ])('maps status %s to its class, keeping code, message, id and attempts', (code, type) => {
    const error = notifierError(serviceError(code, 'why  '), 'n-1', 2);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, details: 'why', notificationId: 'n-1', attempts: 2 });
    expect(error.message).toBe(`${GrpcStatus[code]}: why`);
  });

  it('reports what is not a gRPC status as NotifyFailedError UNKNOWN with its message', () => {
    expect(notifierError(new Error('Invalid target'), 'n', 1)).toMatchObject({
      name: 'NotifyFailedError',
      code: GrpcStatus.UNKNOWN,
      details: 'Invalid target',
    });
  });
});

import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  AgentQueueFullError,
  AgentUnreachableError,
  InvalidNotificationError,
  NotifyFailedError,
  type NotifierError,
} from '@app/notifier-client';
import { ExitCode } from './exit-code.js';
import type { NotifyOptions } from './options.js';
import { describeFailure, describeSuccess, notifierOptions, notifyInput } from './send.js';

const base: NotifyOptions = {
  agent: '127.0.0.1:9190',
  title: 'Disk full',
  body: '-',
  severity: 'Info',
  properties: {},
  timeoutSeconds: 10,
  json: false,
};

describe('notifierOptions', () => {
  it('bounds every call and every retry by --timeout', () => {
    expect(notifierOptions({ ...base, agent: 'agent:1', timeoutSeconds: 2.5 })).toEqual({
      agentAddress: 'agent:1',
      timeoutMs: 2_500,
      retry: { maxAttempts: Infinity, maxElapsedMs: 2_500 },
    });
  });
});

describe('notifyInput', () => {
  it('passes the content, severity, golden signal, dedupe key, id and properties on', () => {
    expect(
      notifyInput(
        {
          ...base,
          severity: 'Critical',
          goldenSignal: 'Saturation',
          dedupeKey: 'disk-/var',
          id: 'cron-1',
          properties: { team: 'storage' },
        },
        'the body',
      ),
    ).toEqual({
      title: 'Disk full',
      body: 'the body',
      severity: 'Critical',
      goldenSignal: 'Saturation',
      dedupeKey: 'disk-/var',
      id: 'cron-1',
      properties: { team: 'storage' },
    });
  });
});

describe('describeSuccess', () => {
  it.each([
    [{ id: 'a', coalesced: false }, false, 'queued a'],
    [{ id: 'b', coalesced: true }, false, 'coalesced into b'],
    [{ id: 'c', coalesced: false }, true, '{"id":"c","coalesced":false}'],
    [{ id: 'd', coalesced: true }, true, '{"id":"d","coalesced":true}'],
  ])('describes %j (json: %s) as %s', (response, json, line) => {
    expect(describeSuccess(response, json)).toBe(line);
  });
});

describe('describeFailure', () => {
  it.each([
    new InvalidNotificationError('message.title: is required and must not be blank', 'n', 1),
    new AgentQueueFullError(GrpcStatus.RESOURCE_EXHAUSTED, 'the queue is full', 'n', 1),
    new NotifyFailedError(GrpcStatus.UNIMPLEMENTED, 'The server does not implement the method', 'n', 1),
    new NotifyFailedError(GrpcStatus.INTERNAL, 'internal error', 'n', 1),
  ])('treats %s as refused (exit 1) with the status name and the message', (error: NotifierError) => {
    expect(describeFailure(error, base)).toEqual({
      exitCode: ExitCode.Refused,
      message: `downstream-notify: ${GrpcStatus[error.code]}: ${error.details}`,
    });
  });

  it('treats UNAVAILABLE as unreachable (exit 3), naming the address', () => {
    const failure = describeFailure(
      new AgentUnreachableError(GrpcStatus.UNAVAILABLE, 'No connection established.', 'n', 9),
      { ...base, agent: '10.1.2.3:9190' },
    );
    expect(failure.exitCode).toBe(ExitCode.Unreachable);
    expect(failure.message.split('\n')).toEqual([
      'downstream-notify: UNAVAILABLE: No connection established.',
      expect.stringContaining('no agent answered at 10.1.2.3:9190 within 10 s (9 attempts)'),
    ]);
    expect(failure.message).toContain('AGENT_ADDRESS');
    expect(failure.message).toContain('retry with --id n to avoid a duplicate.');
  });

  it('treats DEADLINE_EXCEEDED as unreachable (exit 3), suggesting a retry with the same --id', () => {
    const failure = describeFailure(
      new AgentUnreachableError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded', 'n-7', 1),
      { ...base, timeoutSeconds: 2 },
    );
    expect(failure.exitCode).toBe(ExitCode.Unreachable);
    expect(failure.message).toContain('DEADLINE_EXCEEDED: Deadline exceeded');
    expect(failure.message).toContain('did not answer within 2 s');
    expect(failure.message).toContain('retry with --id n-7');
  });

  it('reports an error that is not a gRPC status as exit 1 with its message', () => {
    expect(describeFailure(new Error('Invalid target'), base)).toEqual({
      exitCode: ExitCode.Refused,
      message: 'downstream-notify: Invalid target',
    });
  });
});

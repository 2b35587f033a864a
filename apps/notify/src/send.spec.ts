import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ExitCode } from './exit-code.js';
import type { NotifyOptions } from './options.js';
import { buildRequest, describeFailure, describeSuccess } from './send.js';

function serviceError(code: GrpcStatus, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

const base: NotifyOptions = {
  agent: '127.0.0.1:9190',
  title: 'Disk full',
  body: '-',
  severity: 'Info',
  properties: {},
  timeoutSeconds: 10,
  json: false,
};

describe('buildRequest', () => {
  it('always sets opni_severity, and the golden signal and dedupe key only when given', () => {
    expect(buildRequest(base, 'the body')).toEqual({
      id: '',
      message: { title: 'Disk full', body: 'the body', properties: { opni_severity: 'Info' } },
    });
  });

  it('puts every option where the agent reads it', () => {
    const request = buildRequest(
      {
        ...base,
        severity: 'Critical',
        goldenSignal: 'Saturation',
        dedupeKey: 'disk-/var',
        id: 'cron-1',
        properties: { team: 'storage' },
      },
      'b',
    );
    expect(request).toEqual({
      id: 'cron-1',
      message: {
        title: 'Disk full',
        body: 'b',
        properties: {
          team: 'storage',
          opni_severity: 'Critical',
          opni_goldenSignal: 'Saturation',
          opni_dedupe_key: 'disk-/var',
        },
      },
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
    [GrpcStatus.INVALID_ARGUMENT, 'message.title: is required and must not be blank'],
    [GrpcStatus.RESOURCE_EXHAUSTED, 'the queue is full'],
    [GrpcStatus.UNIMPLEMENTED, 'The server does not implement the method'],
    [GrpcStatus.INTERNAL, 'internal error'],
  ])('treats status %s as refused (exit 1) with the status name and the message', (code, details) => {
    expect(describeFailure(serviceError(code, details), base)).toEqual({
      exitCode: ExitCode.Refused,
      message: `downstream-notify: ${GrpcStatus[code]}: ${details}`,
    });
  });

  it('treats UNAVAILABLE as unreachable (exit 3), naming the address', () => {
    const failure = describeFailure(serviceError(GrpcStatus.UNAVAILABLE, 'No connection established. '), {
      ...base,
      agent: '10.1.2.3:9190',
    });
    expect(failure.exitCode).toBe(ExitCode.Unreachable);
    expect(failure.message.split('\n')).toEqual([
      'downstream-notify: UNAVAILABLE: No connection established.',
      expect.stringContaining('no agent answered at 10.1.2.3:9190'),
    ]);
    expect(failure.message).toContain('AGENT_ADDRESS');
  });

  it('treats DEADLINE_EXCEEDED as unreachable (exit 3), suggesting a retry with the same --id', () => {
    const failure = describeFailure(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), {
      ...base,
      timeoutSeconds: 2,
    });
    expect(failure.exitCode).toBe(ExitCode.Unreachable);
    expect(failure.message).toContain('DEADLINE_EXCEEDED: Deadline exceeded');
    expect(failure.message).toContain('did not answer within 2 s');
    expect(failure.message).toContain('--id');
  });

  it('reports an error that is not a gRPC status as exit 1 with its message', () => {
    expect(describeFailure(new Error('Invalid target'), base)).toEqual({
      exitCode: ExitCode.Refused,
      message: 'downstream-notify: Invalid target',
    });
  });
});

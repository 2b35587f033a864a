import { status as GrpcStatus } from '@grpc/grpc-js';
import { alerting, type core } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { framesOf, SessionCallError, SessionPeer, streamFrame, type SessionFrame } from './session-peer.js';

/** Two peers wired back to back, frames delivered asynchronously like a stream would. */
function pair() {
  const sent = { ab: [] as number[], ba: [] as number[] };
  // Through the stream encoding and back, as the transports do.
  const carry = (frames: SessionFrame[], to: () => SessionPeer) =>
    setImmediate(() => framesOf(streamFrame(frames)).forEach((frame) => to().receive(frame)));
  const a: SessionPeer = new SessionPeer({
    send: (frames: SessionFrame[]) => (sent.ab.push(frames.length), carry(frames, () => b)),
  });
  const b: SessionPeer = new SessionPeer({
    send: (frames: SessionFrame[]) => (sent.ba.push(frames.length), carry(frames, () => a)),
  });
  return { a, b, sent };
}

const notification: alerting.Notification = { title: 't', body: 'b', properties: { opni_uuid: 'n-1' } };

describe('SessionPeer', () => {
  it('carries a unary call and its response with the service codecs, metadata included', async () => {
    const { a, b } = pair();
    const seen: { request: alerting.Notification; metadata: Record<string, string> }[] = [];
    b.serve('alerting.PushNotificationService', {
      push: async (request, { metadata }) => (seen.push({ request, metadata }), {}),
      resolve: async () => ({}),
    });
    await expect(
      a.call('alerting.PushNotificationService', 'push', notification, { metadata: { attempt: '3' } }),
    ).resolves.toEqual({});
    expect(seen).toEqual([{ request: notification, metadata: { attempt: '3' } }]);
  });

  it('carries a call whose request the caller encoded already', async () => {
    const { a, b } = pair();
    const seen: alerting.Notification[] = [];
    b.serve('alerting.PushNotificationService', {
      push: async (request) => (seen.push(request), {}),
      resolve: async () => ({}),
    });
    const encoded = alerting.Notification.encode(notification).finish();
    await expect(a.callEncoded('alerting.PushNotificationService', 'push', encoded)).resolves.toEqual({});
    expect(seen).toEqual([notification]);
  });

  it('serves both directions on one pair', async () => {
    const { a, b } = pair();
    const resolved: string[] = [];
    a.serve('alerting.PushNotificationService', {
      push: async () => ({}),
      resolve: async (reference: core.Reference) => (resolved.push(reference.id), {}),
    });
    b.serve('alerting.PushNotificationService', { push: async () => ({}), resolve: async () => ({}) });
    await Promise.all([
      b.call('alerting.PushNotificationService', 'resolve', { id: 'x' }),
      a.call('alerting.PushNotificationService', 'push', notification),
    ]);
    expect(resolved).toEqual(['x']);
  });

  it("maps a handler's AppError to its gRPC status and message", async () => {
    const { a, b } = pair();
    b.serve('alerting.PushNotificationService', {
      push: async () => {
        throw new InvalidArgumentError('message.title', 'is required and must not be blank');
      },
      resolve: async () => ({}),
    });
    const error = await a.call('alerting.PushNotificationService', 'push', notification).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionCallError);
    expect(error).toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
      message: 'message.title: is required and must not be blank',
    });
  });

  it('answers UNIMPLEMENTED for a method nobody serves, and INTERNAL for an unexpected error', async () => {
    const { a, b } = pair();
    b.serve('alerting.PushNotificationService', {
      push: async () => {
        throw new Error('disk on fire');
      },
      resolve: async () => ({}),
    });
    await expect(a.call('control.Health', 'getHealth', {})).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
    await expect(a.call('alerting.PushNotificationService', 'push', notification)).rejects.toMatchObject({
      code: GrpcStatus.INTERNAL,
      message: 'disk on fire',
    });
  });

  it('fails a call with DEADLINE_EXCEEDED when no result arrives in time', async () => {
    const a = new SessionPeer({ send: () => undefined });
    await expect(
      a.call('alerting.PushNotificationService', 'push', notification, { timeoutMs: 20 }),
    ).rejects.toMatchObject({
      code: GrpcStatus.DEADLINE_EXCEEDED,
    });
    expect(a.callsInFlight).toBe(0);
  });

  it('fails the calls in flight and every later call with UNAVAILABLE once closed', async () => {
    const a = new SessionPeer({ send: () => undefined });
    const inFlight = a.call('alerting.PushNotificationService', 'push', notification);
    a.close('stream ended');
    await expect(inFlight).rejects.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
      message: 'session closed: stream ended',
    });
    await expect(a.call('alerting.PushNotificationService', 'push', notification)).rejects.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
    });
  });

  it('fails a call whose frame cannot be sent, without leaving it in flight', async () => {
    const a = new SessionPeer({
      send: () => {
        throw new Error('write after end');
      },
    });
    await expect(a.call('alerting.PushNotificationService', 'push', notification)).rejects.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
    });
    expect(a.callsInFlight).toBe(0);
  });

  it('sends what one event-loop turn produced as one message, in order', async () => {
    const { a, b, sent } = pair();
    const order: string[] = [];
    b.serve('alerting.PushNotificationService', {
      push: async (request) => (order.push(request.properties.opni_uuid), {}),
      resolve: async () => ({}),
    });
    const ids = Array.from({ length: 50 }, (_, i) => `n-${i}`);
    await Promise.all(
      ids.map((id) =>
        a.call('alerting.PushNotificationService', 'push', { ...notification, properties: { opni_uuid: id } }),
      ),
    );
    expect(order).toEqual(ids);
    expect(sent.ab).toEqual([50]); // fifty calls, one message
    expect(sent.ba).toEqual([50]); // and their fifty results, one message
  });
});

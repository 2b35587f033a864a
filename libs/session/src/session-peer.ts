import { status as GrpcStatus, type ServiceDefinition } from '@grpc/grpc-js';
import { serviceDefinitions, type ServiceName, type session } from '@app/proto';
import { AppError, ERROR_STATUS } from '@app/runtime';

/** A frame one side sends on the session: a call, or the result of one. */
export type SessionFrame = { $case: 'call'; value: session.RpcCall } | { $case: 'result'; value: session.RpcResult };

/** A call over the session that did not succeed: the gRPC status the other side (or the session) gave. */
export class SessionCallError extends Error {
  override readonly name = 'SessionCallError';
  constructor(
    readonly code: GrpcStatus,
    message: string,
  ) {
    super(message);
  }
}

type Definitions = typeof serviceDefinitions;
type UnaryMethods<S extends ServiceName> = {
  [
    M in keyof Definitions[S] as Definitions[S][M] extends { requestStream: false; responseStream: false } ? M : never
  ]: Definitions[S][M];
};
type RequestOf<D> = D extends { requestSerialize: (value: infer Req) => Buffer } ? Req : never;
type ResponseOf<D> = D extends { responseDeserialize: (value: Buffer) => infer Res } ? Res : never;

/** What a handler learns about a call besides its request. */
export interface CallContext {
  metadata: Record<string, string>;
}

/** An implementation of a service's unary methods for calls arriving over the session. */
export type SessionServiceImplementation<S extends ServiceName> = {
  [M in keyof UnaryMethods<S>]: (
    request: RequestOf<UnaryMethods<S>[M]>,
    context: CallContext,
  ) => Promise<ResponseOf<UnaryMethods<S>[M]>>;
};

interface Handler {
  decode: (bytes: Buffer) => unknown;
  encode: (value: unknown) => Buffer;
  run: (request: unknown, context: CallContext) => Promise<unknown>;
}

export interface SessionPeerOptions {
  /**
   * Sends frames to the other side, in order, as one stream message (see
   * streamFrame): everything sent in one event-loop turn goes out together.
   */
  send: (frames: SessionFrame[]) => void;
  /** Deadline of an outgoing call unless the call sets its own (ms). */
  defaultTimeoutMs?: number;
}

/**
 * One side of the agent↔gateway session: unary calls of any of our services
 * travel as call/result frames correlated by id, encoded with the service's
 * own ts-proto codecs, in both directions over the one stream the agent
 * opened. Both apps use it: the agent calls Push and serves Resolve, the
 * gateway serves Push and calls Resolve (later SyncNow and GetHealth).
 */
export class SessionPeer {
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<
    bigint,
    { resolve: (bytes: Buffer) => void; reject: (error: Error) => void; timer?: NodeJS.Timeout }
  >();
  private nextId = 1n;
  private closedWith?: SessionCallError;
  /** Frames of this event-loop turn, sent together at its end. */
  private outbox: SessionFrame[] = [];

  constructor(private readonly options: SessionPeerOptions) {}

  /** Serves a service's unary methods to the other side. */
  serve<S extends ServiceName>(service: S, implementation: SessionServiceImplementation<S>): this {
    const definition = serviceDefinitions[service] as unknown as ServiceDefinition;
    for (const [name, method] of Object.entries(definition)) {
      const run = (implementation as Record<string, Handler['run'] | undefined>)[name];
      if (!run || method.requestStream || method.responseStream) continue;
      this.handlers.set(method.path, {
        decode: method.requestDeserialize,
        encode: method.responseSerialize as (value: unknown) => Buffer,
        run: run.bind(implementation),
      });
    }
    return this;
  }

  /** Calls a unary method on the other side; rejects with SessionCallError. */
  call<S extends ServiceName, M extends keyof UnaryMethods<S> & string>(
    service: S,
    method: M,
    request: RequestOf<UnaryMethods<S>[M]>,
    options: { metadata?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<ResponseOf<UnaryMethods<S>[M]>> {
    const definition = (serviceDefinitions[service] as unknown as ServiceDefinition)[method];
    if (this.closedWith) return Promise.reject(this.closedWith);
    return this.callEncoded(service, method, definition.requestSerialize(request), options);
  }

  /**
   * call() with the request already encoded with its message type's codec:
   * a caller that holds the bytes (the agent's stored notifications) need not
   * decode and encode them again.
   */
  callEncoded<S extends ServiceName, M extends keyof UnaryMethods<S> & string>(
    service: S,
    method: M,
    request: Uint8Array,
    options: { metadata?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<ResponseOf<UnaryMethods<S>[M]>> {
    const definition = (serviceDefinitions[service] as unknown as ServiceDefinition)[method];
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<ResponseOf<UnaryMethods<S>[M]>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id);
              reject(
                new SessionCallError(
                  GrpcStatus.DEADLINE_EXCEEDED,
                  `${definition.path}: no result within ${timeoutMs} ms`,
                ),
              );
            }, timeoutMs);
      this.pending.set(id, {
        resolve: (bytes) => resolve(definition.responseDeserialize(bytes) as ResponseOf<UnaryMethods<S>[M]>),
        reject,
        timer,
      });
      this.enqueue({
        $case: 'call',
        value: { id, method: definition.path, request, metadata: options.metadata ?? {} },
      });
    });
  }

  /** Feeds a frame received from the other side. */
  receive(frame: SessionFrame): void {
    if (frame.$case === 'result') {
      const { id, code, message, response } = frame.value;
      const waiting = this.settle(id);
      if (!waiting) return; // timed out or cancelled meanwhile
      if (code === GrpcStatus.OK) waiting.resolve(asBuffer(response));
      else waiting.reject(new SessionCallError(code, message));
      return;
    }
    void this.answer(frame.value);
  }

  /** Calls in flight from this side. */
  get callsInFlight(): number {
    return this.pending.size;
  }

  /** Fails every call in flight and every later one: the session is gone. */
  close(reason: string): void {
    this.closedWith ??= new SessionCallError(GrpcStatus.UNAVAILABLE, `session closed: ${reason}`);
    this.outbox = [];
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(this.closedWith);
  }

  private settle(id: bigint) {
    const waiting = this.pending.get(id);
    if (!waiting) return undefined;
    this.pending.delete(id);
    if (waiting.timer) clearTimeout(waiting.timer);
    return waiting;
  }

  private async answer(call: session.RpcCall): Promise<void> {
    const result: session.RpcResult = { id: call.id, code: GrpcStatus.OK, message: '', response: new Uint8Array() };
    const handler = this.handlers.get(call.method);
    if (!handler) {
      result.code = GrpcStatus.UNIMPLEMENTED;
      result.message = `${call.method} is not served on this session`;
    } else {
      try {
        const request = handler.decode(asBuffer(call.request));
        result.response = handler.encode(await handler.run(request, { metadata: call.metadata }));
      } catch (error) {
        const status = statusOf(error);
        result.code = status.code;
        result.message = status.message;
      }
    }
    if (this.closedWith) return; // nobody to answer
    this.enqueue({ $case: 'result', value: result });
  }

  private enqueue(frame: SessionFrame): void {
    if (this.outbox.length === 0) setImmediate(() => this.flush());
    this.outbox.push(frame);
  }

  /** Sends the turn's frames as one message; if that fails, the calls among them fail (results are simply lost). */
  private flush(): void {
    const frames = this.outbox;
    this.outbox = [];
    if (frames.length === 0 || this.closedWith) return;
    try {
      this.options.send(frames);
    } catch (error) {
      const failure = new SessionCallError(GrpcStatus.UNAVAILABLE, `session send failed: ${(error as Error).message}`);
      for (const frame of frames) if (frame.$case === 'call') this.settle(frame.value.id)?.reject(failure);
    }
  }
}

/** The bytes as a Buffer over the same memory: Buffer.from(uint8Array) would copy them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The gRPC status for an error a handler threw: AppErrors by their kind, the rest INTERNAL. */
export function statusOf(error: unknown): { code: GrpcStatus; message: string } {
  if (error instanceof AppError) return { code: ERROR_STATUS[error.kind].grpc, message: error.message };
  if (error instanceof SessionCallError) return { code: error.code, message: error.message };
  return { code: GrpcStatus.INTERNAL, message: error instanceof Error ? error.message : String(error) };
}

/** The stream message carrying `frames`: a single frame as itself, several as one Frames message. */
export function streamFrame(frames: SessionFrame[]): SessionFrame | { $case: 'frames'; value: session.Frames } {
  return frames.length === 1 ? frames[0] : { $case: 'frames', value: { frames: frames.map((frame) => ({ frame })) } };
}

/** The frames a received stream message carries, in order (none for hello/welcome). */
export function framesOf(frame: session.ConnectRequest['frame'] | session.ConnectResponse['frame']): SessionFrame[] {
  if (frame?.$case === 'call' || frame?.$case === 'result') return [frame];
  if (frame?.$case === 'frames') return frame.value.frames.flatMap((f) => (f.frame ? [f.frame] : []));
  return [];
}

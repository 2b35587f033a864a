import type { Http2SecureServer, Http2Server, ServerHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation } from 'grpc-health-check';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';

/** What Nest builds per gRPC method: runs guards, pipes, the handler and exception filters. */
type MethodHandler = (request: unknown, metadata: grpc.Metadata, call: unknown) => unknown;

export type GrpcServerOptions = Omit<GrpcOptions['options'], 'protoPath'> & {
  /** Host and port to bind; port 0 picks a free one (see `boundPort`). */
  url: string;
  /** How long close() lets calls and streams finish before cutting them. */
  shutdownGraceMs?: number;
  /** HTTP/2 receive window of each stream and connection, in bytes (default FLOW_CONTROL_WINDOW). */
  flowControlWindow?: number;
};

/**
 * Our servers' HTTP/2 receive window: 1 MiB per stream and per connection
 * instead of Node's 64 KiB. An agent's session is one long-lived stream
 * carrying up to a push window of notifications (512 × ~450 B by default);
 * with 64 KiB the agent waited for WINDOW_UPDATEs from a busy gateway
 * (bench:drain 0.48x and 0.51x echo before, 0.57x and 0.51x after, alternating).
 */
export const FLOW_CONTROL_WINDOW = 1 << 20;

/**
 * Nest's gRPC transport, plus what every server of ours needs: the standard
 * grpc.health.v1.Health service (for Kubernetes probes and grpc_health_probe),
 * the port actually bound (so port 0 works), and a bounded graceful shutdown.
 */
export class GrpcServer extends ServerGrpc {
  /** grpc.health.v1.Health; '' is the whole server, as probes ask by default. */
  readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private port?: number;
  private processingHooksSet = false;
  private server?: grpc.Server;

  constructor(private readonly serverOptions: GrpcServerOptions) {
    super({ gracefulShutdown: true, ...serverOptions } as GrpcOptions['options']);
  }

  /** The grpc-js server once listening (e.g. to list the methods it really serves); undefined before and after. */
  get rawServer(): grpc.Server | undefined {
    return this.server;
  }

  /** The port bound by listen(); throws before that. */
  get boundPort(): number {
    if (this.port === undefined) throw new Error('gRPC server is not listening yet');
    return this.port;
  }

  override async createClient(): Promise<grpc.Server> {
    const server = new grpc.Server({
      // Nothing of ours serves channelz, so its per-call bookkeeping (closures, clock reads) is work for no one
      // (bench:agent-ingest could not tell the difference: 8 alternating rounds, median 1.00x).
      'grpc.enable_channelz': 0,
      'grpc.max_receive_message_length': this.serverOptions.maxReceiveMessageLength ?? 4 << 20,
      ...this.serverOptions.channelOptions,
    });
    widenFlowControlWindow(server, this.serverOptions.flowControlWindow ?? FLOW_CONTROL_WINDOW);
    const credentials = this.serverOptions.credentials ?? grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.serverOptions.url, credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.health.addToServer(server);
    this.server = server;
    return server;
  }

  override setOnProcessingStartHook(...hook: Parameters<ServerGrpc['setOnProcessingStartHook']>): void {
    this.processingHooksSet = true;
    super.setOnProcessingStartHook(...hook);
  }

  override setOnProcessingEndHook(...hook: Parameters<ServerGrpc['setOnProcessingEndHook']>): void {
    this.processingHooksSet = true;
    super.setOnProcessingEndHook(...hook);
  }

  /**
   * Unary calls without Nest's per-call wrapper, which copies the whole call
   * object and builds an RxJS pipeline for each call (a hot path: the agent's
   * Notify). Guards, pipes, interceptors and exception filters still run:
   * they are inside `methodHandler`. Nest's wrapper is kept when processing
   * hooks are set (none of our apps sets them).
   */
  override createUnaryServiceMethod(methodHandler: MethodHandler): grpc.handleUnaryCall<unknown, unknown> {
    if (this.processingHooksSet) return super.createUnaryServiceMethod(methodHandler) as never;
    return (call, callback) => {
      void answerUnary(methodHandler(call.request, call.metadata, call)).then(
        (response) => callback(null, response),
        (error: grpc.ServiceError) => callback(error),
      );
    };
  }

  override async start(callback?: () => void): Promise<void> {
    await super.start();
    this.health.setStatus('', 'SERVING');
    for (const name of Object.keys(this.serverOptions.packageDefinition ?? {})) {
      this.health.setStatus(name, 'SERVING');
    }
    callback?.();
  }

  override async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.health.setStatus('', 'NOT_SERVING');
    const grace = this.serverOptions.shutdownGraceMs ?? 3_000;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, grace);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The handler's result: a value, a promise, or an Observable whose last value is the response (an error one when a filter mapped a failure). */
async function answerUnary(result: unknown): Promise<unknown> {
  const value = await result;
  return isObservable(value) ? lastValueFrom(value as Observable<unknown>) : value;
}

/**
 * grpc-js applies `grpc-node.flow_control_window` on the client only (the
 * server side is grpc/grpc-node#3058, open): this does on the server what
 * that change does, on each HTTP/2 server grpc-js creates for a bind —
 * advertise the window for every stream in SETTINGS, and open the
 * connection's window as each session starts.
 */
function widenFlowControlWindow(server: grpc.Server, window: number): void {
  type Http2ServerOf = (credentials: grpc.ServerCredentials) => Http2Server | Http2SecureServer;
  const internals = server as unknown as { createHttp2Server: Http2ServerOf };
  const create = internals.createHttp2Server;
  if (typeof create !== 'function')
    throw new Error('grpc-js no longer has Server.createHttp2Server: update widenFlowControlWindow');
  internals.createHttp2Server = function (this: grpc.Server, credentials) {
    const http2Server = create.call(this, credentials);
    http2Server.updateSettings({ initialWindowSize: window });
    http2Server.on('session', (session: ServerHttp2Session) => session.setLocalWindowSize(window));
    return http2Server;
  };
}

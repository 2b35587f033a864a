import * as grpc from '@grpc/grpc-js';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation } from 'grpc-health-check';

export type GrpcServerOptions = Omit<GrpcOptions['options'], 'protoPath'> & {
  /** Host and port to bind; port 0 picks a free one (see `boundPort`). */
  url: string;
  /** How long close() lets calls and streams finish before cutting them. */
  shutdownGraceMs?: number;
};

/**
 * Nest's gRPC transport, plus what every server of ours needs: the standard
 * grpc.health.v1.Health service (for Kubernetes probes and grpc_health_probe),
 * the port actually bound (so port 0 works), and a bounded graceful shutdown.
 */
export class GrpcServer extends ServerGrpc {
  /** grpc.health.v1.Health; '' is the whole server, as probes ask by default. */
  readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private port?: number;
  private server?: grpc.Server;

  constructor(private readonly serverOptions: GrpcServerOptions) {
    super({ gracefulShutdown: true, ...serverOptions } as GrpcOptions['options']);
  }

  /** The port bound by listen(); throws before that. */
  get boundPort(): number {
    if (this.port === undefined) throw new Error('gRPC server is not listening yet');
    return this.port;
  }

  override async createClient(): Promise<grpc.Server> {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.serverOptions.maxReceiveMessageLength ?? 4 << 20,
      ...this.serverOptions.channelOptions,
    });
    const credentials = this.serverOptions.credentials ?? grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.serverOptions.url, credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.health.addToServer(server);
    this.server = server;
    return server;
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

/**
 * The process shell of the benchmarks' plain grpc-js baselines: serve one
 * service on 127.0.0.1 (free port, the agent's receive limit), print one
 * `{"event":"listening","grpc":…}` line for the benchmark to read, and stop on
 * SIGTERM/SIGINT.
 */
import * as grpc from '@grpc/grpc-js';
import { serviceDefinitions, type ServiceName } from '@app/proto';

export function serveEcho(label: string, service: ServiceName, handlers: grpc.UntypedServiceImplementation): void {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 << 20 });
  server.addService(serviceDefinitions[service] as unknown as grpc.ServiceDefinition, handlers);
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
      process.stderr.write(`${label}: ${error.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify({ event: 'listening', grpc: `127.0.0.1:${port}`, pid: process.pid })}\n`);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.tryShutdown(() => process.exit(0));
      setTimeout(() => {
        server.forceShutdown();
        process.exit(0);
      }, 2_000).unref();
    });
  }
}

/**
 * The baseline of the agent-ingest benchmark: a plain grpc-js server for
 * alerting.NotificationService/Notify with the same ts-proto codecs as the agent
 * (the service definition from @app/proto) and the same receive limit, whose
 * handler answers `{ id, coalesced: false }` at once. It runs in its own process, like
 * the agent, binds 127.0.0.1 on a free port and prints one JSON line
 * `{"event":"listening","grpc":"127.0.0.1:<port>"}`; SIGTERM/SIGINT stop it.
 *
 *   node --import tsx bench/agent-ingest/echo-server.ts
 */
import * as grpc from '@grpc/grpc-js';
import { serviceDefinitions, type alerting } from '@app/proto';

const definition = serviceDefinitions['alerting.NotificationService'] as unknown as grpc.ServiceDefinition;

const handlers: grpc.UntypedServiceImplementation = {
  notify(
    call: grpc.ServerUnaryCall<alerting.AgentNotification, alerting.NotifyResponse>,
    callback: grpc.sendUnaryData<alerting.NotifyResponse>,
  ) {
    callback(null, { id: call.request.id, coalesced: false });
  },
};

const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 << 20 });
server.addService(definition, handlers);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`echo server: ${error.message}\n`);
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

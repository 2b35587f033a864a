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
import type * as grpc from '@grpc/grpc-js';
import type { alerting } from '@app/proto';
import { serveEcho } from '../common/echo-process.js';

const handlers: grpc.UntypedServiceImplementation = {
  notify(
    call: grpc.ServerUnaryCall<alerting.AgentNotification, alerting.NotifyResponse>,
    callback: grpc.sendUnaryData<alerting.NotifyResponse>,
  ) {
    callback(null, { id: call.request.id, coalesced: false });
  },
};

serveEcho('echo server', 'alerting.NotificationService', handlers);

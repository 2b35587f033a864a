/**
 * The server half of the drain benchmark's baseline: a plain grpc-js server for
 * session.v1.AgentSessionService/Connect (the definition and ts-proto codecs from
 * @app/proto, the receive limit of the gateway's gRPC server) that answers Hello with
 * Welcome and every RpcCall frame with an OK RpcResult frame at once, without looking
 * inside the call. Nothing is stored, validated or called back: what is left is the
 * transport the agent↔gateway session rides on. It runs in its own process, like the
 * gateway, binds 127.0.0.1 on a free port and prints one JSON line
 * `{"event":"listening","grpc":"127.0.0.1:<port>"}`; SIGTERM/SIGINT stop it.
 *
 *   node --import tsx bench/drain/echo-session-server.ts
 */
import type * as grpc from '@grpc/grpc-js';
import type { session } from '@app/proto';
import { serveEcho } from '../common/echo-process.js';

const EMPTY = new Uint8Array(); // google.protobuf.Empty, Push's response, encodes to no bytes

const handlers: grpc.UntypedServiceImplementation = {
  connect(call: grpc.ServerDuplexStream<session.ConnectRequest, session.ConnectResponse>) {
    call.on('data', (request: session.ConnectRequest) => {
      const frame = request.frame;
      if (frame?.$case === 'hello') {
        call.write({
          frame: {
            $case: 'welcome',
            value: { clusterId: frame.value.clusterId, gatewayVersion: 'echo', mac: Buffer.alloc(0) },
          },
        });
      } else if (frame?.$case === 'call') {
        call.write({
          frame: { $case: 'result', value: { id: frame.value.id, code: 0, message: '', response: EMPTY } },
        });
      }
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined); // the client went away: nothing to clean up
  },
};

serveEcho('echo session server', 'session.v1.AgentSessionService', handlers);

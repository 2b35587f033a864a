import * as grpc from '@grpc/grpc-js';
import { service as healthService, type ServingStatus } from 'grpc-health-check';

type CheckMethod = (
  request: { service: string },
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: { status: ServingStatus }) => void,
) => void;

/**
 * Asks a server's grpc.health.v1.Health/Check for `service` ('' is the whole
 * server), as Kubernetes gRPC probes and grpc_health_probe do (over TLS when
 * `credentials` say so, as for a gateway).
 */
export async function checkGrpcHealth(
  address: string,
  service = '',
  deadlineMs = 5_000,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): Promise<ServingStatus> {
  const Client = grpc.makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
  const client = new Client(address, credentials);
  try {
    return await new Promise<ServingStatus>((resolve, reject) =>
      (client as unknown as { check: CheckMethod }).check(
        { service },
        { deadline: Date.now() + deadlineMs },
        (error, response) => (error ? reject(error) : resolve(response.status)),
      ),
    );
  } finally {
    client.close();
  }
}

import * as grpc from '@grpc/grpc-js';
import type { ServiceName } from '@app/proto';
import { createUnaryClient, type UnaryClient } from '@app/runtime';
import type { GatewaySecrets } from './gateway-secrets.js';

/**
 * A gRPC client of a gateway the tests started: TLS trusting its CA (names
 * not checked, as agents do), and the admin bearer token on every call
 * unless `admin: false`.
 */
export function gatewayClient<S extends ServiceName>(
  gateway: { grpcAddress: string; gateway?: GatewaySecrets },
  service: S,
  { admin = true }: { admin?: boolean } = {},
): UnaryClient<S> {
  const secrets = gateway.gateway;
  if (!secrets) throw new Error('gatewayClient needs a gateway started with spawnApp');
  return createUnaryClient(service, gateway.grpcAddress, gatewayCredentials(secrets, { admin }));
}

/** gatewayClient's credentials: TLS trusting the gateway's CA, with the admin bearer token unless `admin: false`. */
export function gatewayCredentials(secrets: GatewaySecrets, { admin = true } = {}): grpc.ChannelCredentials {
  const tls = gatewayTls(secrets);
  return admin
    ? grpc.credentials.combineChannelCredentials(
        tls,
        grpc.credentials.createFromMetadataGenerator((_params, callback) => {
          const metadata = new grpc.Metadata();
          metadata.set('authorization', `Bearer ${secrets.adminToken}`);
          callback(null, metadata);
        }),
      )
    : tls;
}

/** TLS trusting a gateway's CA only, names not checked: how agents reach it. */
export function gatewayTls(secrets: GatewaySecrets): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(secrets.caCertPem), null, null, {
    checkServerIdentity: () => undefined,
  });
}

/** gRPC metadata carrying `token` as the admin bearer token, for a call on a channel without TLS (an agent's port). */
export function bearerMetadata(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

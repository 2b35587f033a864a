import { Inject, Injectable, Logger } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { deriveClusterKey, generateExchangeKeyPair } from '@app/cluster-auth';
import { createUnaryClient } from '@app/runtime';
import { AgentSettings } from '../../config/agent-settings.js';
import { Keyring, type KeyringContents } from './keyring.js';
import { fetchPinnedCa } from './pinned-gateway.js';

/** Injection token of the agent's Keyring. */
export const KEYRING = Symbol('Keyring');

/** Joining cannot succeed as configured; retrying would not help (a refused token, a taken cluster id, no token). */
export class JoinRefusedError extends Error {
  override readonly name = 'JoinRefusedError';
}

/** TLS to the gateway, trusting only the pinned CA. Names are not checked: the pinned CA is the identity. */
export function gatewayChannelCredentials(caCertPem: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(caCertPem), null, null, { checkServerIdentity: () => undefined });
}

/**
 * Channel options for a gateway connection: the TLS server name (SNI) is a
 * fixed name rather than the address, which is often an IP (not allowed as a
 * server name); it is not checked anyway.
 */
export const GATEWAY_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.ssl_target_name_override': 'downstream-alerting-gateway',
  'grpc.default_authority': 'downstream-alerting-gateway',
};

const PERMANENT = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.ALREADY_EXISTS,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.PERMISSION_DENIED,
]);

/**
 * The agent's credentials for the gateway: its keyring, or — the first time
 * — a join: check the gateway against the pin (fetchPinnedCa: nothing is
 * sent to a gateway that does not match), redeem the bootstrap token over
 * TLS anchored in the pinned CA (bootstrap.v1.BootstrapService/Join) with a
 * fresh X25519 key, derive the cluster key, and save it all in the keyring.
 */
@Injectable()
export class GatewayJoin {
  private readonly logger = new Logger(GatewayJoin.name);

  constructor(
    private readonly settings: AgentSettings,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  /**
   * The keyring, joining first when there is none. JoinRefusedError when
   * joining cannot work as configured; other errors (the gateway unreachable,
   * the pin not matching) may pass: the caller retries.
   */
  async credentials(): Promise<KeyringContents> {
    const saved = this.keyring.load();
    if (saved) {
      if (saved.clusterId !== this.settings.clusterId) {
        throw new JoinRefusedError(
          `${this.keyring.path} is for cluster ${saved.clusterId}, but AGENT_CLUSTER_ID is ${this.settings.clusterId}`,
        );
      }
      return saved;
    }
    const { joinToken, gatewayPin, gatewayAddress, clusterId } = this.settings;
    if (!joinToken || !gatewayPin) {
      throw new JoinRefusedError(
        "this agent has not joined a gateway: start it with AGENT_JOIN_TOKEN and AGENT_GATEWAY_PIN (from the gateway's token API)",
      );
    }
    const caCertPem = await fetchPinnedCa(gatewayAddress, gatewayPin);
    const exchange = generateExchangeKeyPair();
    const client = createUnaryClient(
      'bootstrap.v1.BootstrapService',
      gatewayAddress,
      gatewayChannelCredentials(caCertPem),
      GATEWAY_CHANNEL_OPTIONS,
    );
    let response;
    try {
      response = await client.join(
        { token: joinToken, clusterId, agentPublicKey: exchange.publicKey },
        { deadline: Date.now() + 30_000 },
      );
    } catch (error) {
      const { code, details } = error as grpc.ServiceError;
      if (PERMANENT.has(code))
        throw new JoinRefusedError(`the gateway refused to join cluster ${clusterId}: ${details}`);
      throw error;
    } finally {
      client.close();
    }
    const contents: KeyringContents = {
      clusterId,
      clusterKey: deriveClusterKey(exchange.privateKey, response.gatewayPublicKey, clusterId),
      caCertPem,
      pin: gatewayPin,
      joinedAt: new Date(),
    };
    this.keyring.save(contents);
    this.logger.log(
      { event: 'joined', cluster: clusterId, gateway: gatewayAddress, labels: response.labels },
      `joined the gateway at ${gatewayAddress} as cluster ${clusterId}; the keyring is ${this.keyring.path}`,
    );
    return contents;
  }
}

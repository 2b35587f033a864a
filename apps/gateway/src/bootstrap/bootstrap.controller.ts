import { Controller } from '@nestjs/common';
import { deriveClusterKey, generateExchangeKeyPair, X25519_PUBLIC_KEY_BYTES } from '@app/cluster-auth';
import { bootstrap } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { assertClusterId } from '../clusters/cluster-id.js';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import { AgentFacing } from '../security/agent-facing.decorator.js';
import { BootstrapTokens } from '../tokens/bootstrap-tokens.js';

/**
 * bootstrap.v1.BootstrapService/Join: an agent redeems a bootstrap token to
 * register its cluster. Both sides contribute an ephemeral X25519 key and
 * derive the cluster key from the exchange; the gateway keeps it with the
 * cluster, the agent in its keyring. Checked before anything changes: the
 * request's shape, the cluster id being free, the token (UNAUTHENTICATED,
 * ALREADY_EXISTS, INVALID_ARGUMENT).
 */
@Controller()
@AgentFacing()
@bootstrap.BootstrapServiceControllerMethods()
export class BootstrapController implements bootstrap.BootstrapServiceController {
  constructor(
    private readonly tokens: BootstrapTokens,
    private readonly clusters: ClusterRegistry,
  ) {}

  async join(request: bootstrap.JoinRequest): Promise<bootstrap.JoinResponse> {
    assertClusterId(request.clusterId, 'clusterId');
    if (request.agentPublicKey.length !== X25519_PUBLIC_KEY_BYTES) {
      throw new InvalidArgumentError(
        'agentPublicKey',
        `must be a raw X25519 public key (${X25519_PUBLIC_KEY_BYTES} bytes)`,
      );
    }
    return this.tokens.redeem(request.token, async (token) => {
      const gateway = generateExchangeKeyPair();
      const key = deriveClusterKey(gateway.privateKey, request.agentPublicKey, request.clusterId);
      await this.clusters.join(request.clusterId, key, token.labels); // AlreadyExistsError: the use is given back
      return { gatewayPublicKey: gateway.publicKey, labels: token.labels };
    });
  }
}

import { Controller } from '@nestjs/common';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { deriveClusterKey, exchangePublicKeyProblem, generateExchangeKeyPair } from '@app/cluster-auth';
import { bootstrap } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { assertClusterId } from '../../clusters/cluster-id.js';
import { ClusterRegistry } from '../../clusters/cluster-registry.js';
import { AgentFacing } from '../../security/agent-facing.decorator.js';
import { UnauthenticatedAdmission } from '../../security/unauthenticated-admission.js';
import { BootstrapTokens } from '../tokens/bootstrap-tokens.js';

/**
 * bootstrap.v1.BootstrapService/Join: an agent redeems a bootstrap token to
 * register its cluster. Both sides contribute an ephemeral X25519 key and
 * derive the cluster key from the exchange; the gateway keeps it with the
 * cluster, the agent in its keyring. Checked before anything changes: the
 * join rate (RESOURCE_EXHAUSTED), the request's shape (a usable public key,
 * a valid cluster id), the cluster id being free, the token
 * (UNAUTHENTICATED, ALREADY_EXISTS, INVALID_ARGUMENT).
 */
@Controller()
@AgentFacing()
@bootstrap.BootstrapServiceControllerMethods()
export class BootstrapController implements bootstrap.BootstrapServiceController {
  constructor(
    private readonly tokens: BootstrapTokens,
    private readonly clusters: ClusterRegistry,
    private readonly admission: UnauthenticatedAdmission,
  ) {}

  async join(
    request: bootstrap.JoinRequest,
    _metadata?: unknown,
    call?: ServerUnaryCall<unknown, unknown>, // Nest passes the call after the metadata
  ): Promise<bootstrap.JoinResponse> {
    await this.admission.admitJoin(call?.getPeer() ?? 'unknown'); // every attempt counts, well-formed or not
    assertClusterId(request.clusterId, 'clusterId');
    const keyProblem = exchangePublicKeyProblem(request.agentPublicKey);
    if (keyProblem) throw new InvalidArgumentError('agentPublicKey', keyProblem);
    return this.tokens.redeem(request.token, async (token) => {
      const gateway = generateExchangeKeyPair();
      const key = deriveClusterKey(gateway.privateKey, request.agentPublicKey, request.clusterId);
      await this.clusters.join(request.clusterId, key, token.labels); // AlreadyExistsError: the use is given back
      return { gatewayPublicKey: gateway.publicKey, labels: token.labels };
    });
  }
}

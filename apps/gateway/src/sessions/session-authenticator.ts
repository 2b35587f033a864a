import { Injectable } from '@nestjs/common';
import { freshNonce, NONCE_BYTES, proofMatches, sessionProof } from '@app/cluster-auth';
import type { session } from '@app/proto';
import { InvalidArgumentError, UnauthenticatedError } from '@app/runtime';
import { assertClusterId } from '../clusters/cluster-id.js';
import { ClusterRegistry } from '../clusters/cluster-registry.js';

/** A session between Hello and Proof: the challenge sent, and how to check the answer. */
export interface PendingSession {
  clusterId: string;
  /** As the agent's Hello said (for the session's connection details). */
  agentVersion: string;
  challenge: session.Challenge;
  /**
   * Checks the agent's proof; returns the gateway's own proof for Welcome.
   * UnauthenticatedError when it does not match.
   */
  verify(proof: session.Proof): Buffer;
}

/**
 * The one place that decides which cluster a session speaks for: the cluster
 * the agent names in Hello, once its Proof shows it holds that cluster's key
 * (a MAC over fresh nonces of both sides: a recorded exchange fails on any
 * other connection). Nothing else trusts a cluster id from the agent; ingest
 * stamps this one on every notification.
 */
@Injectable()
export class SessionAuthenticator {
  constructor(private readonly clusters: ClusterRegistry) {}

  /** Hello → the challenge to send. UnauthenticatedError for a cluster that has not joined (or was deleted). */
  async challenge(hello: session.Hello): Promise<PendingSession> {
    const { clusterId, nonce: agentNonce } = hello;
    assertClusterId(clusterId, 'hello.clusterId');
    if (agentNonce.length !== NONCE_BYTES) {
      throw new InvalidArgumentError('hello.nonce', `must be ${NONCE_BYTES} random bytes, not ${agentNonce.length}`);
    }
    const key = await this.clusters.clusterKey(clusterId);
    if (!key) {
      throw new UnauthenticatedError(
        `cluster ${clusterId} has not joined this gateway (or was deleted): join with a bootstrap token`,
      );
    }
    const gatewayNonce = freshNonce();
    return {
      clusterId,
      agentVersion: hello.agentVersion,
      challenge: { nonce: gatewayNonce },
      verify: (proof) => {
        const expected = sessionProof(key, 'agent', clusterId, agentNonce, gatewayNonce);
        if (!proofMatches(expected, proof.mac)) {
          throw new UnauthenticatedError(`the session proof for cluster ${clusterId} does not match its key`);
        }
        return sessionProof(key, 'gateway', clusterId, agentNonce, gatewayNonce);
      },
    };
  }
}

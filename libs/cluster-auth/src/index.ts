// Public API of @app/cluster-auth: the cryptography agent and gateway share to
// authenticate a cluster — the gateway's public-key pin, the X25519 join that
// derives a cluster key, and the per-session challenge-response proofs. All of
// it is node:crypto; nothing here is a hand-made primitive.
export { publicKeyPin, PIN_PATTERN } from './public-key-pin.js';
export {
  generateExchangeKeyPair,
  exchangePublicKey,
  exchangePublicKeyProblem,
  deriveClusterKey,
  X25519_PUBLIC_KEY_BYTES,
  CLUSTER_KEY_BYTES,
  type ExchangeKeyPair,
} from './cluster-key.js';
export { sessionProof, proofMatches, freshNonce, NONCE_BYTES, type ProofRole } from './session-proof.js';

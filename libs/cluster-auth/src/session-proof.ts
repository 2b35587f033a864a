import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of each side's fresh random value in a session's handshake. */
export const NONCE_BYTES = 32;

export type ProofRole = 'agent' | 'gateway';

export function freshNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/**
 * What one side sends to prove it holds the cluster key in this session:
 * HMAC-SHA256 over the role, the cluster id and both sides' nonces, each
 * length-prefixed so no two different inputs read alike. The role keeps the
 * gateway's answer from being the agent's proof sent back.
 */
export function sessionProof(
  key: Uint8Array,
  role: ProofRole,
  clusterId: string,
  agentNonce: Uint8Array,
  gatewayNonce: Uint8Array,
): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of [Buffer.from(role), Buffer.from(clusterId, 'utf8'), agentNonce, gatewayNonce]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    mac.update(length).update(part);
  }
  return mac.digest();
}

/** True when `given` is the expected proof; compares in constant time. */
export function proofMatches(expected: Uint8Array, given: Uint8Array): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

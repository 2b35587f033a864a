import { createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';

/** Bytes of a raw X25519 public key and of a derived cluster key. */
export const X25519_PUBLIC_KEY_BYTES = 32;
export const CLUSTER_KEY_BYTES = 32;

/** HKDF salt: binds derived keys to this protocol. */
const KEY_DERIVATION_SALT = Buffer.from('downstream-alerting/cluster-key/v1');

/** An ephemeral X25519 key pair for one join, with the public half as the wire carries it (32 raw bytes). */
export interface ExchangeKeyPair {
  privateKey: KeyObject;
  publicKey: Buffer;
}

export function generateExchangeKeyPair(): ExchangeKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const { x } = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKey: Buffer.from(x!, 'base64url') };
}

/** A raw X25519 public key from the wire; throws when it is not 32 bytes. */
export function exchangePublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== X25519_PUBLIC_KEY_BYTES) {
    throw new Error(`an X25519 public key is ${X25519_PUBLIC_KEY_BYTES} bytes, not ${raw.length}`);
  }
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/**
 * The cluster's shared key: X25519 between our private key and the peer's
 * public key, then HKDF-SHA256 bound to the cluster id. Agent and gateway
 * compute the same key; neither ever sends it.
 */
export function deriveClusterKey(privateKey: KeyObject, peerPublicKey: Uint8Array, clusterId: string): Buffer {
  const shared = diffieHellman({ privateKey, publicKey: exchangePublicKey(peerPublicKey) });
  return Buffer.from(
    hkdfSync('sha256', shared, KEY_DERIVATION_SALT, Buffer.from(clusterId, 'utf8'), CLUSTER_KEY_BYTES),
  );
}

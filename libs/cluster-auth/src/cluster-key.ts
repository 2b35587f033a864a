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

/**
 * The u-coordinates of X25519's points of small order (0, 1, the two of
 * order 8, and p-1, p, p+1 as non-canonical spellings), as libsodium lists
 * them: an exchange with one of them yields a shared secret of all zeros,
 * which OpenSSL refuses and which would make every such cluster key the same.
 */
const LOW_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));

/**
 * Why `raw` cannot be a peer's X25519 public key (wrong length, or a point
 * of small order), or undefined when it can. Checked before deriving: such
 * a key is a malformed request, not a failure of ours.
 */
export function exchangePublicKeyProblem(raw: Uint8Array): string | undefined {
  if (raw.length !== X25519_PUBLIC_KEY_BYTES) {
    return `must be a raw X25519 public key (${X25519_PUBLIC_KEY_BYTES} bytes), not ${raw.length} bytes`;
  }
  const masked = Buffer.from(raw);
  masked[31] &= 0x7f; // X25519 ignores the top bit (RFC 7748, 5)
  if (LOW_ORDER_POINTS.some((point) => point.equals(masked))) {
    return 'is a point of small order: no key can be derived from it';
  }
  return undefined;
}

/** A raw X25519 public key from the wire; throws when it is not 32 bytes. */
export function exchangePublicKey(raw: Uint8Array): KeyObject {
  const problem = exchangePublicKeyProblem(raw);
  if (problem) throw new Error(`the X25519 public key ${problem}`);
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

import { X509Certificate } from 'node:crypto';
import {
  deriveClusterKey,
  exchangePublicKeyProblem,
  freshNonce,
  generateExchangeKeyPair,
  PIN_PATTERN,
  proofMatches,
  publicKeyPin,
  sessionProof,
} from './index.js';

describe('cluster key (X25519 + HKDF)', () => {
  it('agent and gateway derive the same 32-byte key, bound to the cluster id', () => {
    const agent = generateExchangeKeyPair();
    const gateway = generateExchangeKeyPair();
    expect(agent.publicKey).toHaveLength(32);
    const atAgent = deriveClusterKey(agent.privateKey, gateway.publicKey, 'c1');
    const atGateway = deriveClusterKey(gateway.privateKey, agent.publicKey, 'c1');
    expect(atAgent).toHaveLength(32);
    expect(atAgent.equals(atGateway)).toBe(true);
    expect(deriveClusterKey(gateway.privateKey, agent.publicKey, 'c2').equals(atAgent)).toBe(false);
  });

  it('refuses a public key of the wrong length', () => {
    const gateway = generateExchangeKeyPair();
    expect(() => deriveClusterKey(gateway.privateKey, Buffer.alloc(31), 'c1')).toThrow(/32 bytes\), not 31/);
  });

  it('refuses points of small order, also with the ignored top bit set, and accepts real keys', () => {
    const zero = Buffer.alloc(32);
    const one = Buffer.alloc(32);
    one[0] = 1;
    const oneHighBit = Buffer.from(one);
    oneHighBit[31] = 0x80;
    const p = Buffer.alloc(32, 0xff);
    p[0] = 0xed;
    p[31] = 0x7f;
    for (const key of [zero, one, oneHighBit, p]) {
      expect(exchangePublicKeyProblem(key)).toBe('is a point of small order: no key can be derived from it');
      expect(() => deriveClusterKey(generateExchangeKeyPair().privateKey, key, 'c1')).toThrow(/small order/);
    }
    expect(exchangePublicKeyProblem(generateExchangeKeyPair().publicKey)).toBeUndefined();
  });
});

describe('session proofs', () => {
  const key = Buffer.alloc(32, 7);
  const agentNonce = freshNonce();
  const gatewayNonce = freshNonce();

  it('match only for the same key, role, cluster and both nonces', () => {
    const proof = sessionProof(key, 'agent', 'c1', agentNonce, gatewayNonce);
    expect(proofMatches(proof, sessionProof(key, 'agent', 'c1', agentNonce, gatewayNonce))).toBe(true);
    for (const other of [
      sessionProof(Buffer.alloc(32, 8), 'agent', 'c1', agentNonce, gatewayNonce),
      sessionProof(key, 'gateway', 'c1', agentNonce, gatewayNonce),
      sessionProof(key, 'agent', 'c2', agentNonce, gatewayNonce),
      sessionProof(key, 'agent', 'c1', freshNonce(), gatewayNonce),
      sessionProof(key, 'agent', 'c1', agentNonce, freshNonce()),
      proof.subarray(0, 16),
    ]) {
      expect(proofMatches(proof, other)).toBe(false);
    }
  });

  it('length-prefixes its inputs: shifting bytes between fields changes the proof', () => {
    const a = sessionProof(key, 'agent', 'c1', Buffer.from('ab'), Buffer.from('c'));
    const b = sessionProof(key, 'agent', 'c1', Buffer.from('a'), Buffer.from('bc'));
    expect(proofMatches(a, b)).toBe(false);
  });
});

describe('publicKeyPin', () => {
  it('is sha256:<hex> of the DER SubjectPublicKeyInfo, as openssl computes it', () => {
    // openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum
    const expected = 'sha256:04e693f20c02c9327340deee945b32c5a0203248a508b9cad67b0ed5345647e0';
    expect(publicKeyPin(SAMPLE_CERT)).toBe(expected);
    expect(publicKeyPin(new X509Certificate(SAMPLE_CERT))).toBe(expected);
    expect(expected).toMatch(PIN_PATTERN);
  });
});

// openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=pin-test -days 36500
const SAMPLE_CERT = `-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUJSlVJXfK0uNlV+zi2Xh/sXS1svwwCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIcGluLXRlc3QwIBcNMjYxMTI5MDkyNzM3WhgPMjEyNjExMDUw
OTI3MzdaMBMxETAPBgNVBAMMCHBpbi10ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEctaq0tOPtAOLRqUNs0pfcrpCXZEjnzjpqMGzbHrOI2D/makJEAo/tAwB
KNCHFpnhq8FjzRNyI65dNMqhez57KqNTMFEwHQYDVR0OBBYEFHcG1jlLNFF4Dz+s
XP6fZLnmqdnUMB8GA1UdIwQYMBaAFHcG1jlLNFF4Dz+sXP6fZLnmqdnUMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgeltURu5uNVtYYb69ebOMVQ7z
KH9NVzXfgC4DZ5xBviwCIQDsNH4UXDERAFanJ3ekFSkjmiH4oqvPfXFNTcHJxovr
6A==
-----END CERTIFICATE-----
`;

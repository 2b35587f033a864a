import { createHash, X509Certificate } from 'node:crypto';

/** How a pin reads: "sha256:" and 64 lowercase hex digits. */
export const PIN_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * The pin of a certificate's public key: SHA-256 of its DER
 * SubjectPublicKeyInfo, as "sha256:<hex>". A pin names a key, not a
 * certificate, so it survives re-issuing a certificate for the same key.
 */
export function publicKeyPin(certificate: X509Certificate | string | Buffer): string {
  const cert = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

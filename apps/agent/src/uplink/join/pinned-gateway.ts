import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { publicKeyPin } from '@app/cluster-auth';

/** The gateway's certificate chain does not lead to the pinned key: nothing may be sent to it. */
export class PinMismatchError extends Error {
  override readonly name = 'PinMismatchError';
}

/**
 * Before the agent sends anything to a gateway it has not joined yet, it
 * opens a TLS connection that sends no application data, reads the
 * certificate chain the gateway presents, and looks for the certificate whose
 * public key has the pin it was given. That certificate (the gateway's CA)
 * becomes the only trust anchor of every later connection. No match:
 * PinMismatchError, and the connection is closed without a byte sent.
 */
export async function fetchPinnedCa(address: string, pin: string, timeoutMs = 10_000): Promise<string> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  const chain = await new Promise<X509Certificate[]>((resolve, reject) => {
    // Not verified here on purpose: the pin is the verification.
    const socket = connect({
      host,
      port,
      servername: isIP(host) ? undefined : host, // an IP is not a valid server name (SNI)
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const certificates: X509Certificate[] = [];
      const seen = new Set<string>();
      for (let cert = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined; cert?.raw;) {
        const fingerprint = cert.fingerprint256;
        if (seen.has(fingerprint)) break; // a self-signed root points at itself
        seen.add(fingerprint);
        certificates.push(new X509Certificate(cert.raw));
        cert = cert.issuerCertificate;
      }
      socket.destroy();
      resolve(certificates);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no TLS handshake with ${address} within ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
  const pinned = chain.find((cert) => publicKeyPin(cert) === pin);
  if (!pinned) {
    throw new PinMismatchError(
      `the gateway at ${address} presented no certificate with the pinned key ${pin} (it presented ${chain.map((c) => publicKeyPin(c)).join(', ') || 'none'}); refusing to send it anything`,
    );
  }
  return pinned.toString();
}

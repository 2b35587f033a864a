import 'reflect-metadata'; // @peculiar/x509's dependency injection container needs it loaded first
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { publicKeyPin } from '@app/cluster-auth';
import { writeFileAtomically } from '@app/runtime';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The gateway's TLS identity: what its gRPC port serves, and the pin agents check it by. */
export interface TlsIdentity {
  /** The serving certificate followed by its chain up to the pinned CA (PEM). */
  certChainPem: string;
  keyPem: string;
  /** The CA whose public key is pinned (PEM). */
  caCertPem: string;
  /** publicKeyPin() of the CA: what agents are given as AGENT_GATEWAY_PIN. */
  pin: string;
  /** Where it came from: files the operator configured, or generated in the data directory. */
  source: 'configured' | 'generated';
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** A generated serving certificate lives this long, and is re-issued (same CA, same pin) when it has less than RENEW_BEFORE_MS left. */
const SERVING_LIFETIME_MS = 397 * DAY_MS;
const RENEW_BEFORE_MS = 30 * DAY_MS;
const CA_LIFETIME_MS = 20 * 365 * DAY_MS;

function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The configured certificate and key when both are set; otherwise a CA and
 * a serving certificate generated on first start and kept in
 * `<dataDir>/tls` (keys mode 0600). The pinned key is the CA's: the
 * configured CA file's, else the last certificate of the configured chain.
 */
export async function loadTlsIdentity(dataDir: string, configured: Partial<TlsFiles>): Promise<TlsIdentity> {
  if (configured.certFile || configured.keyFile) {
    if (!configured.certFile || !configured.keyFile) {
      throw new Error('GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE must be set together');
    }
    const chain = readFileSync(configured.certFile, 'utf8');
    const keyPem = readFileSync(configured.keyFile, 'utf8');
    const certificates = pemCertificates(chain);
    if (certificates.length === 0) throw new Error(`${configured.certFile} holds no PEM certificate`);
    const caCertPem = configured.caFile
      ? pemCertificates(readFileSync(configured.caFile, 'utf8'))[0]
      : certificates[certificates.length - 1];
    if (!caCertPem) throw new Error(`${configured.caFile} holds no PEM certificate`);
    const certChainPem = certificates.includes(caCertPem) ? chain : `${chain.trimEnd()}\n${caCertPem}\n`;
    return { certChainPem, keyPem, caCertPem, pin: publicKeyPin(caCertPem), source: 'configured' };
  }
  return generatedIdentity(join(dataDir, 'tls'));
}

async function generatedIdentity(dir: string): Promise<TlsIdentity> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
  };
  if (!existsSync(files.caCert) || !existsSync(files.caKey)) {
    const ca = await createCa();
    writeFileAtomically(files.caKey, ca.keyPem, { mode: 0o600 });
    writeFileAtomically(files.caCert, ca.certPem, { mode: 0o600 });
  }
  const caCertPem = readFileSync(files.caCert, 'utf8');
  const caKeyPem = readFileSync(files.caKey, 'utf8');
  const current = existsSync(files.cert) && existsSync(files.key) ? readFileSync(files.cert, 'utf8') : undefined;
  if (!current || new Date(new X509Certificate(current).validTo).getTime() - Date.now() < RENEW_BEFORE_MS) {
    const serving = await createServingCertificate(caCertPem, caKeyPem);
    writeFileAtomically(files.key, serving.keyPem, { mode: 0o600 });
    writeFileAtomically(files.cert, serving.certPem, { mode: 0o600 });
  }
  const certPem = readFileSync(files.cert, 'utf8');
  return {
    certChainPem: `${certPem.trimEnd()}\n${caCertPem.trimEnd()}\n`,
    keyPem: readFileSync(files.key, 'utf8'),
    caCertPem,
    pin: publicKeyPin(caCertPem),
    source: 'generated',
  };
}

async function createCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString('hex'),
    name: 'CN=Downstream Alerting gateway CA',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_LIFETIME_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

async function createServingCertificate(
  caCertPem: string,
  caKeyPem: string,
): Promise<{ certPem: string; keyPem: string }> {
  const ca = new x509.X509Certificate(caCertPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(caKeyPem), ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(16).toString('hex'),
    subject: 'CN=downstream-alerting-gateway',
    issuer: ca.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + SERVING_LIFETIME_MS),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      // Agents trust the pinned CA, not names; the names are for other TLS clients (grpcurl, browsers).
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'dns', value: hostname() },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicKeyPin } from '@app/cluster-auth';

/** What a test needs to act as an admin of a gateway it started, and to trust it like an agent. */
export interface GatewaySecrets {
  /** The admin bearer token. */
  adminToken: string;
  /** The CA agents pin (PEM) and its pin. */
  caCertPem: string;
  pin: string;
}

const byHttpAddress = new Map<string, GatewaySecrets>();

/** A started gateway's secrets, from the files it keeps in its data directory (or the configured admin token). */
export function readGatewaySecrets(dataDir: string, configuredAdminToken?: string): GatewaySecrets {
  const caCertPem = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const tokenFile = join(dataDir, 'admin-token');
  const adminToken = configuredAdminToken || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  return { adminToken, caCertPem, pin: publicKeyPin(caCertPem) };
}

/** Lets the HTTP helpers (gatewayAdmin, fetchGatewayNotifications, …) authenticate to a gateway by its address. */
export function rememberGateway(httpAddress: string, secrets: GatewaySecrets): void {
  byHttpAddress.set(httpAddress, secrets);
}

/** `Authorization` for a gateway the tests started (none for one they did not). */
export function adminHeaders(httpAddress: string): Record<string, string> {
  const secrets = byHttpAddress.get(httpAddress);
  return secrets ? { authorization: `Bearer ${secrets.adminToken}` } : {};
}

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

/** The admin token of each service the tests started, by its HTTP address. */
const adminTokens = new Map<string, string>();

/** A started gateway's secrets, from the files it keeps in its data directory (or the configured admin token). */
export function readGatewaySecrets(dataDir: string, configuredAdminToken?: string): GatewaySecrets {
  const caCertPem = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const tokenFile = join(dataDir, 'admin-token');
  const adminToken = configuredAdminToken || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  return { adminToken, caCertPem, pin: publicKeyPin(caCertPem) };
}

/** An agent's admin token (of its queue API): the configured one, else the one it keeps in its data directory. */
export function readAgentAdminToken(dataDir: string, configured?: string): string {
  const tokenFile = join(dataDir, 'admin-token');
  return configured || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
}

/**
 * Lets the HTTP helpers (gatewayAdmin, fetchGatewayNotifications,
 * fetchAgentQueue, …) authenticate to a gateway or an agent by its address.
 */
export function rememberAdminToken(httpAddress: string, adminToken: string): void {
  adminTokens.set(httpAddress, adminToken);
}

/** `Authorization` for a gateway or agent the tests started (none for one they did not). */
export function adminHeaders(httpAddress: string): Record<string, string> {
  const token = adminTokens.get(httpAddress);
  return token ? { authorization: `Bearer ${token}` } : {};
}

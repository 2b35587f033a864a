import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/write-file-atomically.js';

/** The bearer token of a service's admin APIs, where it came from, and whether it was just created. */
export interface AdminToken {
  value: string;
  /** The file it is kept in, when it is not configured. */
  file?: string;
  created: boolean;
}

/**
 * The configured token (a setting, e.g. from a Kubernetes Secret); else the
 * one in `<dataDir>/admin-token` (mode 0600), created with 32 random bytes
 * on first start. Its value is never logged: people read the file.
 */
export function loadAdminToken(dataDir: string, configured: string): AdminToken {
  if (configured) return { value: configured, created: false };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), file, created: false };
  const value = randomBytes(32).toString('base64url');
  writeFileAtomically(file, `${value}\n`, { mode: 0o600 });
  return { value, file, created: true };
}

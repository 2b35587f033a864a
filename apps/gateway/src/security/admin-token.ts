import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '@app/runtime';

/** The bearer token of the admin APIs, and whether it was just created (so it is printed this once). */
export interface AdminToken {
  value: string;
  created: boolean;
}

/** The configured token; else the one in `<dataDir>/admin-token` (mode 0600), created with 32 random bytes on first start. */
export function loadAdminToken(dataDir: string, configured: string): AdminToken {
  if (configured) return { value: configured, created: false };
  const path = join(dataDir, 'admin-token');
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), created: false };
  const value = randomBytes(32).toString('base64url');
  writeFileAtomically(path, `${value}\n`, { mode: 0o600 });
  return { value, created: true };
}

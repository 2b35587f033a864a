import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path the page is served at: clear of /api, /metrics and /healthz. */
export const ADMIN_PAGE_PATH = '/admin';

/**
 * Where `npm run build` puts the page (apps/admin-web/vite.config.ts):
 * dist/apps/admin-web, four levels above this file's built copy in
 * dist/apps/gateway/apps/gateway/src/admin-page/.
 */
export const ADMIN_PAGE_DIR = fileURLToPath(new URL('../../../../../admin-web/', import.meta.url));

export function adminPageBuilt(dir = ADMIN_PAGE_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

/**
 * The page loads nothing but its own files and talks to nothing but this
 * gateway; index.html is revalidated on every load so a new build shows at
 * once, while the hashed assets never change under their names.
 */
export function setAdminPageHeaders(response: { setHeader(name: string, value: string): void }, path: string): void {
  response.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  );
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Cache-Control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
}

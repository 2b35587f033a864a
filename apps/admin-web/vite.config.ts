// Builds the admin page (apps/admin-web) into dist/apps/admin-web, which the
// gateway serves at /admin/ (apps/gateway/src/admin-page). `npm run build` runs it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  // Asset URLs are absolute under the path the gateway serves the page at.
  base: '/admin/',
  // Preact's automatic JSX runtime, compiled by Vite's own transformer: no Babel plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The API's JSON shapes, shared with the gateway; the only library the page uses (it imports nothing itself).
  resolve: {
    alias: { '@app/admin-api': fileURLToPath(new URL('../../libs/admin-api/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/admin-web', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // `npx vite --config apps/admin-web/vite.config.ts` for live editing: API calls go to a local gateway.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});

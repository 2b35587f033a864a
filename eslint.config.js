// Flat config: typescript-eslint's recommended rules; formatting is Prettier's job.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importBoundaries } from './scripts/eslint/import-boundaries.js';
import { libraryPublicApi } from './scripts/eslint/library-public-api.js';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'libs/proto/src/gen/**',
      'coverage/**',
      'data/**',
      // Breaks the rules on purpose; linted by its spec.
      'scripts/eslint/fixtures/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { local: { rules: { 'library-public-api': libraryPublicApi, 'import-boundaries': importBoundaries } } },
    rules: {
      'local/library-public-api': 'error',
      'local/import-boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The admin page runs in the browser (apps/admin-web/src); everything else, its build config included, in Node.
  { ignores: ['apps/admin-web/src/**'], languageOptions: { globals: globals.node } },
  { files: ['apps/admin-web/src/**'], languageOptions: { globals: globals.browser } },
  prettier,
);

// Flat config: typescript-eslint's recommended rules; formatting is Prettier's job.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/proto/src/gen/**', 'coverage/**', 'data/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The admin page runs in the browser (apps/admin-web/src); everything else, its build config included, in Node.
  { ignores: ['apps/admin-web/src/**'], languageOptions: { globals: globals.node } },
  { files: ['apps/admin-web/src/**'], languageOptions: { globals: globals.browser } },
  prettier,
);

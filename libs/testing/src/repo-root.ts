import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory (this file is libs/testing/src/repo-root.ts). */
export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

/**
 * The text of README.md between `<!-- name -->` and `<!-- /name -->`, trimmed,
 * so a spec can check that generated documentation matches the code.
 */
export function readmeSection(name: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`<!-- ${name} -->`);
  const end = readme.indexOf(`<!-- /${name} -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no <!-- ${name} --> … <!-- /${name} --> section`);
  return readme.slice(start + `<!-- ${name} -->`.length, end).trim();
}

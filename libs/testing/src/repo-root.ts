import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory (this file is libs/testing/src/repo-root.ts). */
export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

/**
 * The text of a document (a path from the repository root, e.g.
 * `docs/configuration.md`) between `<!-- name -->` and `<!-- /name -->`,
 * trimmed, so a spec can check that generated documentation matches the code.
 */
export function docSection(document: string, name: string): string {
  const text = readFileSync(join(repoRoot, document), 'utf8');
  const start = text.indexOf(`<!-- ${name} -->`);
  const end = text.indexOf(`<!-- /${name} -->`);
  if (start < 0 || end < start) throw new Error(`${document} has no <!-- ${name} --> … <!-- /${name} --> section`);
  return text.slice(start + `<!-- ${name} -->`.length, end).trim();
}

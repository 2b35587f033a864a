// Lints with the repository's own eslint.config.js, for the local rules' specs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { repoRoot } from '@app/testing';

/** `ignore: false` lets it lint the fixtures `eslint .` skips. */
export const eslint = new ESLint({ cwd: repoRoot, ignore: false });

/** The messages of `rule` for `code` linted as if it were the repository file `file`. */
export async function ruleMessages(rule: string, code: string, file: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  return result.messages.filter((message) => message.ruleId === rule);
}

/** The messages of `rule` for the fixture scripts/eslint/fixtures/<fixture> linted as if it were `file`. */
export async function fixtureMessages(rule: string, fixture: string, file: string): Promise<Linter.LintMessage[]> {
  const code = readFileSync(join(repoRoot, 'scripts/eslint/fixtures', fixture), 'utf8');
  return ruleMessages(rule, code, file);
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '@app/testing';

/**
 * The documentation explains the repository only while what it points at exists:
 * a file moved or renamed must take its mentions along. Checked: markdown links
 * (relative, with their #anchors) and backticked repository paths such as
 * `apps/agent/src/queue/`, in every document a reader is sent to.
 */

/** The README stays a user's manual; reference material goes to docs/. */
const README_MAX_LINES = 520;

/** Top-level folders (and files) a backticked path must start with to be checked as one. */
const REPO_PATH = /^(?:apps|libs|bench|docs|scripts|deploy|examples|\.ci)\/[\w.@/-]*$/;

function documents(): string[] {
  const inFolder = (folder: string, pick: (name: string) => boolean) =>
    existsSync(join(repoRoot, folder))
      ? readdirSync(join(repoRoot, folder))
          .filter(pick)
          .map((name) => `${folder}/${name}`)
      : [];
  return [
    'README.md',
    'ARCHITECTURE.md',
    'SECURITY.md',
    'bench/README.md',
    ...inFolder('docs', (name) => name.endsWith('.md')),
    ...inFolder('libs', (name) => existsSync(join(repoRoot, 'libs', name, 'README.md'))).map(
      (lib) => `${lib}/README.md`,
    ),
    'libs/testing/src/fake-kube-api/README.md',
    'examples/notifier-example/README.md',
  ];
}

/** The text outside fenced code blocks, line numbers kept (fenced lines become empty). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Every broken reference of one document, as `file:line: what`. */
function brokenReferences(document: string): string[] {
  const text = readFileSync(join(repoRoot, document), 'utf8');
  const problems: string[] = [];
  prose(text).forEach((line, index) => {
    const at = `${document}:${index + 1}`;
    for (const [, target] of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? join(repoRoot, document) : join(repoRoot, dirname(document), decodeURI(path));
      if (relative(repoRoot, file).startsWith('..')) {
        problems.push(`${at}: ${target} is outside the repository`);
      } else if (!existsSync(file)) {
        problems.push(`${at}: ${target} does not exist`);
      } else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
        problems.push(`${at}: ${target} names no heading of ${relative(repoRoot, file)}`);
      }
    }
    for (const [, span] of line.matchAll(/`([^`\n]+)`/g)) {
      if (!REPO_PATH.test(span)) continue;
      if (!existsSync(join(repoRoot, span))) problems.push(`${at}: \`${span}\` does not exist`);
    }
  });
  return problems;
}

describe('documentation', () => {
  it.each(documents())('%s points only at what exists in the repository', (document) => {
    expect(brokenReferences(document)).toEqual([]);
  });

  it('has a README.md for every library', () => {
    const libraries = readdirSync(join(repoRoot, 'libs'));
    expect(libraries.filter((lib) => !existsSync(join(repoRoot, 'libs', lib, 'README.md')))).toEqual([]);
  });

  it(`keeps README.md a manual of at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(repoRoot, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('spells anchors as GitHub does and knows a repository path when it sees one', () => {
    expect(anchorsOf('# Sending from an application: `@app/notifier-client`\n## Operating\n## Operating')).toEqual(
      new Set(['sending-from-an-application-appnotifier-client', 'operating', 'operating-1']),
    );
    expect(REPO_PATH.test('apps/agent/src/queue/')).toBe(true);
    expect(REPO_PATH.test('apps/*/test/')).toBe(false);
    expect(REPO_PATH.test('deploy/helm/x … --set y')).toBe(false);
  });
});

// ESLint rule: code outside a library uses only its public API, `@app/<lib>`
// (the lib's src/index.ts). It reports `@app/<lib>/<path>` anywhere, and a
// relative import that resolves into libs/<lib>/ from a file outside that lib.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/eslint/library-public-api.js). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The library an absolute path lies in (`libs/<name>/…`), or undefined. */
function libraryOf(path) {
  const [top, name] = relative(repoRoot, path).split(sep);
  return top === 'libs' && name ? name : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const libraryPublicApi = {
  meta: {
    type: 'problem',
    docs: { description: "Import a library only through its public API, @app/<lib> (the lib's src/index.ts)" },
    schema: [],
    messages: {
      deepAlias: "'{{source}}' reaches into @app/{{lib}}'s files; import from '@app/{{lib}}' (its src/index.ts).",
      relativeIntoLibrary:
        "'{{source}}' reaches into libs/{{lib}} from outside it; import from '@app/{{lib}}' (its src/index.ts).",
    },
  },
  create(context) {
    const ownLibrary = libraryOf(context.filename);
    function check(sourceNode) {
      if (sourceNode?.type !== 'Literal' || typeof sourceNode.value !== 'string') return;
      const source = sourceNode.value;
      const alias = /^@app\/([^/]+)\/./.exec(source);
      if (alias) {
        context.report({ node: sourceNode, messageId: 'deepAlias', data: { source, lib: alias[1] } });
        return;
      }
      if (!source.startsWith('.')) return;
      const lib = libraryOf(resolve(dirname(context.filename), source));
      if (lib !== undefined && lib !== ownLibrary) {
        context.report({ node: sourceNode, messageId: 'relativeIntoLibrary', data: { source, lib } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

// ESLint rule: imports follow the layers. Libraries (libs/) and examples (examples/)
// import no app; an app (apps/<a>/) imports no other app; an app's configuration
// (apps/<a>/src/config/) imports none of its app's features, only other config files,
// libraries (@app/*) and packages, so settings can be loaded and documented alone.
// Sources are resolved as written (relative), through tsconfig.base.json's `paths`
// aliases, or from the repository root (`apps/...`), so no spelling gets around it.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/eslint/import-boundaries.js). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** tsconfig.base.json's `paths` as [prefix, wildcard?, first target] (comments stripped: tsconfig allows them). */
function loadAliases() {
  const text = readFileSync(resolve(repoRoot, 'tsconfig.base.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const paths = JSON.parse(text).compilerOptions?.paths ?? {};
  return Object.entries(paths).map(([pattern, [target]]) => {
    const star = pattern.indexOf('*');
    return star < 0
      ? { prefix: pattern, wildcard: false, target }
      : { prefix: pattern.slice(0, star), suffix: pattern.slice(star + 1), wildcard: true, target };
  });
}

const aliases = loadAliases();

/** The absolute path an import source names in this repository, or undefined for a package. */
function resolveSource(source, importer) {
  if (source.startsWith('.')) return resolve(dirname(importer), source);
  if (isAbsolute(source)) return source;
  for (const alias of aliases) {
    if (!alias.wildcard && source === alias.prefix) return resolve(repoRoot, alias.target);
    if (alias.wildcard && source.startsWith(alias.prefix) && source.endsWith(alias.suffix)) {
      const matched = source.slice(alias.prefix.length, source.length - alias.suffix.length);
      return resolve(repoRoot, alias.target.replace('*', matched));
    }
  }
  // Root-relative spellings (a `baseUrl`-style alias): `apps/gateway/src/...`.
  if (/^(apps|libs|examples)\//.test(source)) return resolve(repoRoot, source);
  return undefined;
}

/** Where a path lies: { area: 'apps' | 'libs' | 'examples' | ..., name, inConfig, rest }. */
function placeOf(path) {
  const parts = relative(repoRoot, path).split(sep);
  const [area, name, folder, sub] = parts;
  return {
    area,
    name,
    inSrc: folder === 'src',
    inConfig: folder === 'src' && sub === 'config' && parts.length > 4,
    path: parts.join('/'),
  };
}

/** @type {import('eslint').Rule.RuleModule} */
export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Libraries and examples import no app, an app imports no other app, configuration imports no feature of its app',
    },
    schema: [],
    messages: {
      libraryImportsApp:
        "'{{source}}' imports apps/{{target}} from a library; libs/ must not depend on apps (move what both need into a lib).",
      exampleImportsApp: "'{{source}}' imports apps/{{target}} from an example; examples use libraries (@app/*) only.",
      appImportsApp:
        "'{{source}}' imports apps/{{target}} from apps/{{app}}; an app must not import another app (share it through a lib).",
      configImportsFeature:
        "'{{source}}' imports {{target}} from apps/{{app}}'s configuration; config may import only config, libraries (@app/*) and packages.",
    },
  },
  create(context) {
    const importer = placeOf(context.filename);
    if (!['libs', 'examples', 'apps'].includes(importer.area) || !importer.name) return {};
    function check(sourceNode) {
      if (sourceNode?.type !== 'Literal' || typeof sourceNode.value !== 'string') return;
      const source = sourceNode.value;
      const resolved = resolveSource(source, context.filename);
      if (resolved === undefined) return;
      const target = placeOf(resolved);
      if (target.area !== 'apps' || !target.name) return;
      const report = (messageId, data) => context.report({ node: sourceNode, messageId, data: { source, ...data } });
      if (importer.area === 'libs') return report('libraryImportsApp', { target: target.name });
      if (importer.area === 'examples') return report('exampleImportsApp', { target: target.name });
      if (target.name !== importer.name) return report('appImportsApp', { target: target.name, app: importer.name });
      if (importer.inConfig && target.inSrc && !target.inConfig) {
        report('configImportsFeature', { target: target.path, app: importer.name });
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // `import('x').T` in a type position and `import x = require('x')`.
      TSImportType: (node) => {
        // typescript-eslint 8 names it `source` (a literal); older versions `argument` (a literal type).
        const source = 'source' in node ? node.source : node.argument;
        check(source?.type === 'TSLiteralType' ? source.literal : source);
      },
      TSExternalModuleReference: (node) => check(node.expression),
    };
  },
};

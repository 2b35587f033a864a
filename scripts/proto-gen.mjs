#!/usr/bin/env node
// Generates libs/proto/src/gen from libs/proto/proto with buf + ts-proto.
//   node scripts/proto-gen.mjs           regenerate in place (npm run proto)
//   node scripts/proto-gen.mjs --check   fail if the committed code is stale
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const GEN = 'libs/proto/src/gen';
const check = process.argv.includes('--check');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

// ts-proto's nestJs mode registers protobufjs "wrappers" for proto-loader (which
// we do not use). It imports them by name from protobufjs, a CommonJS module
// whose named exports Node's ESM loader cannot see; take them off the default.
function fixEsmImports(root) {
  for (const file of files(root)) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(
      'import { wrappers } from "protobufjs";',
      'import protobufjs from "protobufjs";\nconst { wrappers } = protobufjs;',
    );
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

const out = mkdtempSync(join(tmpdir(), 'proto-gen-'));
try {
  execFileSync('npx', ['buf', 'generate', '--output', out], { stdio: 'inherit' });
  const generated = join(out, GEN);
  fixEsmImports(generated);
  if (check) {
    try {
      execFileSync('git', ['diff', '--no-index', '--exit-code', '--stat', GEN, generated], {
        stdio: 'inherit',
      });
    } catch {
      console.error(`\n${GEN} is out of date with the .proto files: run \`npm run proto\` and commit.`);
      process.exit(1);
    }
    console.log(`${GEN} is up to date (${files(generated).length} files).`);
  } else {
    rmSync(GEN, { recursive: true, force: true });
    execFileSync('cp', ['-r', generated, GEN]);
    console.log(`Generated ${files(GEN).map((f) => relative(GEN, f)).join(', ')}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

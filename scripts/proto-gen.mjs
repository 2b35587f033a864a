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

// ts-proto 2.18 with nestJs=true + oneof=unions-value keeps Struct fields and
// ListValue values as plain JSON values (the field codecs wrap and unwrap each
// one), yet emits Struct/ListValue wrap/unwrap that wrap them a second time and
// Value wrap/unwrap for flat oneof fields (boolValue, ...) where the codec uses
// the `kind` union: every Struct would be mangled on the wire. Replace the six
// functions; fail loudly if ts-proto's text changes so an upgrade cannot
// silently undo this (libs/proto/src/well-known.spec.ts pins the behaviour).
const STRUCT_PATCHES = [
  {
    from: '  wrap(object: { [key: string]: any } | undefined): Struct {\n',
    to: '    return object;\n  },\n',
    replacement: `  wrap(object: { [key: string]: any } | undefined): Struct {
    return { fields: { ...object } };
  },

  unwrap(message: Struct): { [key: string]: any } {
    return { ...message.fields };
  },
`,
  },
  {
    from: '  wrap(value: any): Value {\n',
    to: '    return undefined;\n  },\n',
    replacement: `  wrap(value: any): Value {
    if (value === null) {
      return { kind: { $case: "nullValue", value: NullValue.NULL_VALUE } };
    } else if (typeof value === "boolean") {
      return { kind: { $case: "boolValue", value } };
    } else if (typeof value === "number") {
      return { kind: { $case: "numberValue", value } };
    } else if (typeof value === "string") {
      return { kind: { $case: "stringValue", value } };
    } else if (globalThis.Array.isArray(value)) {
      return { kind: { $case: "listValue", value } };
    } else if (typeof value === "object") {
      return { kind: { $case: "structValue", value } };
    } else if (typeof value !== "undefined") {
      throw new globalThis.Error("Unsupported any value type: " + typeof value);
    }
    return {};
  },

  unwrap(message: any): string | number | boolean | Object | null | Array<any> | undefined {
    const kind = (message as Value | undefined)?.kind;
    return kind?.$case === "nullValue" ? null : kind?.value;
  },
`,
  },
  {
    from: '  wrap(array: Array<any> | undefined): ListValue {\n',
    to: '      return message as any;\n    }\n  },\n',
    replacement: `  wrap(array: Array<any> | undefined): ListValue {
    return { values: [...(array ?? [])] };
  },

  unwrap(message: ListValue): Array<any> {
    return [...message.values];
  },
`,
  },
];

function fixStructWrappers(root) {
  const file = join(root, 'google/protobuf/struct.ts');
  let text = readFileSync(file, 'utf8');
  for (const { from, to, replacement } of STRUCT_PATCHES) {
    const start = text.indexOf(from);
    const end = start < 0 ? -1 : text.indexOf(to, start);
    if (start < 0 || end < 0) {
      throw new Error(`${file}: ts-proto's Struct wrappers changed; re-check STRUCT_PATCHES in scripts/proto-gen.mjs`);
    }
    text = text.slice(0, start) + replacement + text.slice(end + to.length);
  }
  writeFileSync(file, text);
}

const out = mkdtempSync(join(tmpdir(), 'proto-gen-'));
try {
  execFileSync('npx', ['buf', 'generate', '--output', out], { stdio: 'inherit' });
  const generated = join(out, GEN);
  fixEsmImports(generated);
  fixStructWrappers(generated);
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
    console.log(
      `Generated ${files(GEN)
        .map((f) => relative(GEN, f))
        .join(', ')}`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

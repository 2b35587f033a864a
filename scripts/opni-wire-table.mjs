#!/usr/bin/env node
// Extracts the wire facts of rancher/opni's protos that ours share (package,
// message, field name, number, type, wire type, label; enum values; service
// methods) into libs/proto/opni/wire-table.json, which
// libs/proto/src/opni-wire-contract.spec.ts compares with our .proto files.
// Only these facts are committed, never opni's files.
//
//   node scripts/opni-wire-table.mjs <opni git dir> <revision>...
//
// e.g. with the search tool's mirror of github.com/rancher/opni:
//   node scripts/opni-wire-table.mjs /work/.mirror/rancher+opni/repo \
//     4a28c1c7911e047bbb2781c9bc59ab9d3482cbef a4916c088ac0d1e94d56c2469e21b7b088a0be98
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

const OUT = 'libs/proto/opni/wire-table.json';
const OURS = 'libs/proto/proto';
// The packages whose names ours keep (DESIGN.md, "Wire contract"), and where opni keeps them.
const PACKAGES = ['core', 'capability', 'control', 'alerting'];
const OPNI_DIRS = PACKAGES.map((name) => `pkg/apis/${name}/v1/`);

const WIRE_TYPES = {
  varint: ['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool'],
  i64: ['fixed64', 'sfixed64', 'double'],
  i32: ['fixed32', 'sfixed32', 'float'],
  len: ['string', 'bytes'],
};

function wireTypeOfScalar(type) {
  return Object.keys(WIRE_TYPES).find((wire) => WIRE_TYPES[wire].includes(type));
}

/** Parses proto sources into one protobufjs root (imports are not followed; google's well-known types are added). */
function parseAll(sources) {
  const root = new protobuf.Root();
  for (const name of ['timestamp', 'empty', 'struct', 'duration', 'any']) {
    root.addJSON(protobuf.common.get(`google/protobuf/${name}.proto`).nested);
  }
  for (const { path, text } of sources) {
    try {
      protobuf.parse(text, root, { keepCase: true });
    } catch (error) {
      throw new Error(`${path}: ${error.message}`, { cause: error });
    }
  }
  return root;
}

/** Every message, enum and service under `packages`, by full name without the leading dot. */
function definitions(root, packages) {
  const found = new Map();
  const walk = (namespace) => {
    for (const child of namespace.nestedArray) {
      const name = child.fullName.slice(1);
      if (child instanceof protobuf.Type) found.set(name, child);
      else if (child instanceof protobuf.Enum) found.set(name, child);
      else if (child instanceof protobuf.Service) found.set(name, child);
      if (child.nestedArray) walk(child);
    }
  };
  for (const name of packages) {
    const namespace = root.lookup(name);
    if (namespace) walk(namespace);
  }
  return found;
}

function typeRef(field, type) {
  if (!field.parent) throw new Error(`${field.name} has no parent`);
  if (wireTypeOfScalar(type)) return { kind: 'scalar', type, wireType: wireTypeOfScalar(type) };
  const resolved = field.parent.lookupTypeOrEnum(type);
  const name = resolved.fullName.slice(1);
  return resolved instanceof protobuf.Enum
    ? { kind: 'enum', type: name, wireType: 'varint' }
    : { kind: 'message', type: name, wireType: 'len' };
}

function describeField(field) {
  if (field instanceof protobuf.MapField) {
    const value = typeRef(field, field.type);
    return {
      name: field.name,
      number: field.id,
      kind: 'map',
      type: `map<${field.keyType}, ${value.type}>`,
      wireType: 'len',
      label: 'repeated',
    };
  }
  const label = field.repeated ? 'repeated' : field.options?.proto3_optional ? 'optional' : 'singular';
  return { name: field.name, number: field.id, ...typeRef(field, field.type), label };
}

function describe(definition) {
  if (definition instanceof protobuf.Type) {
    const reserved = (definition.reserved ?? []).flatMap((entry) =>
      typeof entry === 'string' ? [entry] : [entry[0] === entry[1] ? `${entry[0]}` : `${entry[0]}-${entry[1]}`],
    );
    return {
      kind: 'message',
      fields: definition.fieldsArray.map(describeField).sort((a, b) => a.number - b.number),
      ...(reserved.length > 0 ? { reserved } : {}),
    };
  }
  if (definition instanceof protobuf.Enum) {
    return { kind: 'enum', values: Object.entries(definition.values).map(([name, number]) => ({ name, number })) };
  }
  return {
    kind: 'service',
    methods: definition.methodsArray.map((method) => ({
      name: method.name,
      input: definition.lookupType(method.requestType).fullName.slice(1),
      output: definition.lookupType(method.responseType).fullName.slice(1),
      clientStreaming: Boolean(method.requestStream),
      serverStreaming: Boolean(method.responseStream),
    })),
  };
}

function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? protoFiles(path) : path.endsWith('.proto') ? [path] : [];
  });
}

const [gitDir, ...revisions] = process.argv.slice(2);
if (!gitDir || revisions.length === 0) {
  console.error('usage: node scripts/opni-wire-table.mjs <opni git dir> <revision>...');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });

const ours = definitions(
  parseAll(protoFiles(OURS).map((path) => ({ path, text: readFileSync(path, 'utf8') }))),
  PACKAGES,
);

const table = {
  source: 'https://github.com/rancher/opni',
  generatedBy: 'scripts/opni-wire-table.mjs',
  packages: PACKAGES,
  revisions: revisions.map((revision) => {
    const commit = git('rev-parse', `${revision}^{commit}`).trim();
    const date = git('show', '-s', '--format=%cI', commit).trim();
    const paths = git('ls-tree', '-r', '--name-only', commit)
      .split('\n')
      .filter((path) => OPNI_DIRS.some((dir) => path.startsWith(dir) && !path.slice(dir.length).includes('/')))
      .filter((path) => path.endsWith('.proto'));
    const opni = definitions(
      parseAll(paths.map((path) => ({ path, text: git('show', `${commit}:${path}`) }))),
      PACKAGES,
    );
    const shared = [...opni.keys()].filter((name) => ours.has(name)).sort();
    return {
      commit,
      date,
      files: paths,
      // Every name opni defines in these packages: a definition of ours that
      // takes one of them later must be compared too (the test says so).
      names: [...opni.keys()].sort(),
      definitions: Object.fromEntries(shared.map((name) => [name, describe(opni.get(name))])),
    };
  }),
};
writeFileSync(OUT, `${JSON.stringify(table, null, 2)}\n`);
execFileSync('npx', ['prettier', '--write', OUT], { stdio: 'inherit' });
console.log(
  `${OUT}: ${table.revisions.map((r) => `${r.commit.slice(0, 9)} (${Object.keys(r.definitions).length} shared)`).join(', ')}`,
);

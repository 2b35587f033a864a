import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileRegistry, fromBinary, ScalarType, type DescField } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { repoRoot } from '../repo-root.js';
import type { WireDefinition, WireField, WireType } from './wire-table.js';

const WIRE_TYPES: Record<WireType, ScalarType[]> = {
  varint: [
    ScalarType.INT32,
    ScalarType.INT64,
    ScalarType.UINT32,
    ScalarType.UINT64,
    ScalarType.SINT32,
    ScalarType.SINT64,
    ScalarType.BOOL,
  ],
  i64: [ScalarType.FIXED64, ScalarType.SFIXED64, ScalarType.DOUBLE],
  i32: [ScalarType.FIXED32, ScalarType.SFIXED32, ScalarType.FLOAT],
  len: [ScalarType.STRING, ScalarType.BYTES],
};

function scalar(type: ScalarType): { type: string; wireType: WireType } {
  const wireType = (Object.keys(WIRE_TYPES) as WireType[]).find((wire) => WIRE_TYPES[wire].includes(type))!;
  return { type: ScalarType[type].toLowerCase(), wireType };
}

/** A value's type: what a singular field, a list's elements or a map's values are. */
function valueType(field: DescField): Pick<WireField, 'kind' | 'type' | 'wireType'> {
  const kind =
    field.fieldKind === 'list' ? field.listKind : field.fieldKind === 'map' ? field.mapKind : field.fieldKind;
  if (kind === 'enum') return { kind, type: field.enum!.typeName, wireType: 'varint' };
  if (kind === 'message') return { kind, type: field.message!.typeName, wireType: 'len' };
  return { kind: 'scalar', ...scalar(field.scalar!) };
}

function describeField(field: DescField): WireField {
  const { name, number } = field;
  if (field.fieldKind === 'map') {
    const key = ScalarType[field.mapKey].toLowerCase();
    return {
      name,
      number,
      kind: 'map',
      type: `map<${key}, ${valueType(field).type}>`,
      wireType: 'len',
      label: 'repeated',
    };
  }
  const label = field.fieldKind === 'list' ? 'repeated' : field.proto.proto3Optional ? 'optional' : 'singular';
  return { name, number, ...valueType(field), label };
}

/**
 * Our .proto files (libs/proto/proto) as buf compiles them: every message,
 * enum and service of `packages`, in the wire table's terms.
 */
export function ourWireDefinitions(packages: string[]): Map<string, WireDefinition> {
  const dir = mkdtempSync(join(tmpdir(), 'buf-image-'));
  try {
    const image = join(dir, 'image.binpb');
    execFileSync(join(repoRoot, 'node_modules/.bin/buf'), ['build', '--exclude-source-info', '-o', image], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(image)));
    const found = new Map<string, WireDefinition>();
    for (const desc of registry) {
      const inPackage = packages.some((name) => desc.typeName.startsWith(`${name}.`));
      if (!inPackage) continue;
      if (desc.kind === 'message') {
        const reserved = [
          ...desc.proto.reservedRange.map(({ start, end }) => (end - 1 === start ? `${start}` : `${start}-${end - 1}`)),
          ...desc.proto.reservedName,
        ];
        found.set(desc.typeName, {
          kind: 'message',
          fields: desc.fields.map(describeField).sort((a, b) => a.number - b.number),
          ...(reserved.length > 0 ? { reserved } : {}),
        });
      } else if (desc.kind === 'enum') {
        found.set(desc.typeName, {
          kind: 'enum',
          values: desc.values.map(({ name, number }) => ({ name, number })),
        });
      } else if (desc.kind === 'service') {
        found.set(desc.typeName, {
          kind: 'service',
          methods: desc.methods.map((method) => ({
            name: method.name,
            input: method.input.typeName,
            output: method.output.typeName,
            clientStreaming: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
            serverStreaming: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
          })),
        });
      }
    }
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

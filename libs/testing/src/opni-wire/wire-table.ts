import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../repo-root.js';

/** Where scripts/opni-wire-table.mjs writes the facts it extracts from rancher/opni's protos. */
export const OPNI_WIRE_TABLE = join(repoRoot, 'libs/proto/opni/wire-table.json');

/** How a field is carried: the protobuf wire type of its (element) values. */
export type WireType = 'varint' | 'i64' | 'i32' | 'len';

export interface WireField {
  name: string;
  number: number;
  kind: 'scalar' | 'enum' | 'message' | 'map';
  /** A scalar's keyword, a message's or enum's full name, or `map<K, V>`. */
  type: string;
  wireType: WireType;
  /** `optional` is proto3's explicit presence. */
  label: 'singular' | 'optional' | 'repeated';
}

export interface WireMessage {
  kind: 'message';
  fields: WireField[];
  /** Reserved numbers ("3", "3-5") and names. */
  reserved?: string[];
}

export interface WireEnum {
  kind: 'enum';
  values: { name: string; number: number }[];
}

export interface WireMethod {
  name: string;
  input: string;
  output: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

export interface WireService {
  kind: 'service';
  methods: WireMethod[];
}

export type WireDefinition = WireMessage | WireEnum | WireService;

/** One revision of opni: every name it defines in the packages, and the definitions ours share, in full. */
export interface OpniRevision {
  commit: string;
  date: string;
  files: string[];
  names: string[];
  definitions: Record<string, WireDefinition>;
}

export interface OpniWireTable {
  source: string;
  generatedBy: string;
  packages: string[];
  revisions: OpniRevision[];
}

/** The committed table: the early-2023 revision the proposal was written against first, then opni's latest. */
export function opniWireTable(): OpniWireTable {
  return JSON.parse(readFileSync(OPNI_WIRE_TABLE, 'utf8')) as OpniWireTable;
}

/** A revision of the table by (a prefix of) its commit hash. */
export function opniRevision(commit: string): OpniRevision {
  const found = opniWireTable().revisions.find((revision) => revision.commit.startsWith(commit));
  if (!found) throw new Error(`${OPNI_WIRE_TABLE} has no revision ${commit}`);
  return found;
}

import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { OpniRevision, WireService } from './wire-table.js';

// Codecs and a gRPC client built from the committed wire table alone, not
// from our .proto files: what a client generated from opni's protos at that
// revision reads and writes.

const SCALARS = new Set([
  ...['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool', 'fixed64', 'sfixed64', 'double'],
  ...['fixed32', 'sfixed32', 'float', 'string', 'bytes'],
]);
const WELL_KNOWN = ['timestamp', 'empty', 'struct', 'duration'];

/** protobufjs types of every definition the table describes for `revision` (plus google's well-known types). */
export function opniRoot(revision: OpniRevision): protobuf.Root {
  const root = new protobuf.Root();
  for (const name of WELL_KNOWN) root.addJSON(protobuf.common.get(`google/protobuf/${name}.proto`)!.nested!);
  const known = (type: string) => type in revision.definitions || type.startsWith('google.protobuf.');
  // A message the table does not describe (opni's, not shared with ours) is read as its bytes: same wire type.
  const ref = (type: string) => (SCALARS.has(type) ? type : known(type) ? `.${type}` : 'bytes');
  for (const [fullName, definition] of Object.entries(revision.definitions)) {
    const dot = fullName.lastIndexOf('.');
    const namespace = root.define(fullName.slice(0, dot));
    const name = fullName.slice(dot + 1);
    if (definition.kind === 'message') {
      const type = new protobuf.Type(name);
      for (const field of definition.fields) {
        const map = /^map<(\w+), (.+)>$/.exec(field.type);
        type.add(
          map
            ? new protobuf.MapField(field.name, field.number, map[1], ref(map[2]))
            : new protobuf.Field(
                field.name,
                field.number,
                ref(field.type),
                field.label === 'repeated' ? 'repeated' : undefined,
              ),
        );
      }
      namespace.add(type);
    } else if (definition.kind === 'enum') {
      namespace.add(new protobuf.Enum(name, Object.fromEntries(definition.values.map((v) => [v.name, v.number]))));
    }
  }
  root.resolveAll();
  return root;
}

const isLong = (value: unknown): value is { toString(): string } =>
  typeof value === 'object' && value !== null && 'low' in value && 'high' in value;

/**
 * A decoded message as plain data, field by field as the table names them:
 * int64s as strings, enums as numbers, Timestamps as {seconds, nanos},
 * unset messages null. (Not protobufjs' toObject, which applies whatever
 * wrappers other code registered for well-known types.)
 */
export function plain(type: protobuf.Type, message: protobuf.Message): Record<string, unknown> {
  const one = (field: protobuf.Field, value: unknown): unknown => {
    if (field.resolvedType instanceof protobuf.Type) {
      return value == null ? null : plain(field.resolvedType, value as protobuf.Message);
    }
    return isLong(value) ? value.toString() : value;
  };
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = (message as unknown as Record<string, unknown>)[field.name];
    out[field.name] = field.map
      ? Object.fromEntries(Object.entries((value ?? {}) as object).map(([k, v]) => [k, one(field, v)]))
      : field.repeated
        ? ((value ?? []) as unknown[]).map((v) => one(field, v))
        : one(field, value);
  }
  return out;
}

export interface OpniAnswer {
  /** The response as opni's types decode it (see plain). */
  message: Record<string, unknown>;
  /** The response's bytes as they came off the wire. */
  bytes: Buffer;
}

/** A unary client of one service as described for `revision`: requests encoded, responses decoded by the table's types. */
export class OpniClient {
  private readonly client: grpc.Client;
  private readonly root: protobuf.Root;
  private readonly service: WireService;

  constructor(
    private readonly revision: OpniRevision,
    private readonly serviceName: string,
    address: string,
    credentials: grpc.ChannelCredentials,
  ) {
    const service = revision.definitions[serviceName];
    if (service?.kind !== 'service') throw new Error(`opni ${revision.commit} has no service ${serviceName}`);
    this.service = service;
    this.root = opniRoot(revision);
    this.client = new grpc.Client(address, credentials);
  }

  call(method: string, request: Record<string, unknown>): Promise<OpniAnswer> {
    const { input, output } = this.method(method);
    const requestType = this.root.lookupType(input);
    const responseType = this.root.lookupType(output);
    const problem = requestType.verify(request);
    if (problem) throw new Error(`${input}: ${problem}`);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/${this.serviceName}/${method}`,
        // encode takes plain objects; fromObject would apply wrappers other code registered.
        (value: Record<string, unknown>) => Buffer.from(requestType.encode(value).finish()),
        (bytes: Buffer) => bytes,
        request,
        (error, bytes) => {
          if (error || !bytes) return reject(error ?? new Error('no response'));
          resolve({ message: plain(responseType, responseType.decode(bytes)), bytes });
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }

  private method(name: string) {
    const method = this.service.methods.find((m) => m.name === name);
    if (!method) throw new Error(`${this.serviceName} has no method ${name} in opni ${this.revision.commit}`);
    return method;
  }
}

import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { BackendService, StatusRequest } from './gen/capability/capability.js';
import { Reference } from './gen/core/core.js';

/** The tag byte of a Reference's `id = 1` (field 1, length-delimited): how an encoded Reference starts. */
const REFERENCE_ID_TAG = 0x0a;

/** The bytes of the request's first length-delimited field 1, or undefined when it has none. */
function firstField1(bytes: Uint8Array): Uint8Array | undefined {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) return reader.bytes();
    reader.skip(wireType, field);
  }
  return undefined;
}

/**
 * capability.Backend/Status's request in either shape opni has used:
 * `StatusRequest {cluster = 1 core.Reference}` (early 2023, the proposal's) or
 * a bare `core.Reference` (later). Both start with a length-delimited field
 * 1; when its bytes are empty or start with 0x0a they are an encoded
 * Reference (a StatusRequest), otherwise they are Reference.id itself. Cluster
 * ids are 1 to 128 of [A-Za-z0-9._-], so no id starts with 0x0a and the rule
 * never confuses the two (the rule is written next to the rpc in
 * capability.proto). Malformed bytes throw, as any decoder does.
 */
export function decodeStatusRequest(bytes: Uint8Array): StatusRequest {
  const field1 = firstField1(bytes);
  if (field1 === undefined || field1.length === 0 || field1[0] === REFERENCE_ID_TAG) {
    return StatusRequest.decode(bytes);
  }
  return { cluster: Reference.decode(bytes) };
}

/** capability.Backend as generated, but Status decodes either request shape (decodeStatusRequest). */
export const BackendServiceAcceptingBothStatusShapes = {
  ...BackendService,
  status: {
    ...BackendService.status,
    requestDeserialize: (value: Buffer): StatusRequest => decodeStatusRequest(value),
  },
} as const satisfies typeof BackendService;

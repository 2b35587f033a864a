import fc from 'fast-check';
import { capability, core, decodeStatusRequest, serviceDefinitions } from './index.js';

const asStatusRequest = (id: string) => capability.StatusRequest.encode({ cluster: { id } }).finish();
const asReference = (id: string) => core.Reference.encode({ id }).finish();

/** The gateway's rule for cluster ids (apps/gateway/src/clusters/cluster-id.ts). */
const clusterIds = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/);

describe("decodeStatusRequest: both of opni's Status request shapes", () => {
  it('reads StatusRequest{cluster} and a bare Reference as the same request', () => {
    expect(decodeStatusRequest(asStatusRequest('c1'))).toEqual({ cluster: { id: 'c1' } });
    expect(decodeStatusRequest(asReference('c1'))).toEqual({ cluster: { id: 'c1' } });
    // The id's first character is no tag byte: ids of one character, and of the longest length.
    expect(decodeStatusRequest(asReference('a'))).toEqual({ cluster: { id: 'a' } });
    const longest = `A${'.-_9'.repeat(31)}zz`.slice(0, 128);
    expect(decodeStatusRequest(asReference(longest))).toEqual({ cluster: { id: longest } });
  });

  it('tells every valid cluster id apart in either shape', () => {
    fc.assert(
      fc.property(clusterIds, (id) => {
        const expected = { cluster: { id } };
        expect(decodeStatusRequest(asStatusRequest(id))).toEqual(expected);
        expect(decodeStatusRequest(asReference(id))).toEqual(expected);
      }),
    );
  });

  it('names no cluster for an empty request or an empty reference, whichever the shape', () => {
    expect(decodeStatusRequest(new Uint8Array())).toEqual({ cluster: undefined });
    // StatusRequest{cluster: {}}: field 1 present and empty.
    expect(decodeStatusRequest(Uint8Array.of(0x0a, 0x00))).toEqual({ cluster: { id: '' } });
  });

  it('decides by the first length-delimited field 1, skipping other fields before it', () => {
    // An unknown varint field 2 first (as a newer client might send), then the id.
    const withUnknown = Uint8Array.of(0x10, 0x01, ...asReference('c2'));
    expect(decodeStatusRequest(withUnknown)).toEqual({ cluster: { id: 'c2' } });
    const requestWithUnknown = Uint8Array.of(0x10, 0x01, ...asStatusRequest('c2'));
    expect(decodeStatusRequest(requestWithUnknown)).toEqual({ cluster: { id: 'c2' } });
  });

  it('throws on truncated bytes instead of guessing', () => {
    expect(() => decodeStatusRequest(Uint8Array.of(0x0a, 0x05, 0x61))).toThrow();
  });

  it('is what the capability.Backend service definition decodes Status requests with', () => {
    const status = serviceDefinitions['capability.Backend'].status;
    expect(status.requestDeserialize(Buffer.from(asReference('c3')))).toEqual({ cluster: { id: 'c3' } });
    expect(status.requestDeserialize(Buffer.from(asStatusRequest('c3')))).toEqual({ cluster: { id: 'c3' } });
    // Clients still send the declared StatusRequest.
    expect(status.requestSerialize({ cluster: { id: 'c3' } })).toEqual(Buffer.from(asStatusRequest('c3')));
  });
});

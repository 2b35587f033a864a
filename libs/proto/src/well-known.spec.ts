import { Struct, Timestamp } from './well-known.js';
import { capability } from './index.js';

describe('well-known types through ts-proto codecs', () => {
  it('encodes and decodes a Struct of every JSON kind to the same plain object', () => {
    const object = {
      text: 'a',
      number: 1.5,
      flag: false,
      nothing: null,
      list: [1, 'two', [true]],
      nested: { deep: {} },
    };

    const decoded = Struct.unwrap(Struct.decode(Struct.encode(Struct.wrap(object)).finish()));

    expect(decoded).toStrictEqual(object);
  });

  it('uses the standard wire format, so other protobuf implementations agree', () => {
    // Struct{ fields: { "a": Value{ bool_value: true } } }, written by hand from the spec.
    const standard = Uint8Array.from([0x0a, 0x07, 0x0a, 0x01, 0x61, 0x12, 0x02, 0x20, 0x01]);

    expect(Struct.unwrap(Struct.decode(standard))).toStrictEqual({ a: true });
    expect(Struct.encode(Struct.wrap({ a: true })).finish()).toEqual(standard);
  });

  it('carries Struct fields inside messages as plain objects', () => {
    const request = { cluster: { id: 'c1' }, options: { deleteStoredData: true, initialDelay: '30s' } };

    const bytes = capability.UninstallRequest.encode(request).finish();

    expect(capability.UninstallRequest.decode(bytes)).toStrictEqual(request);
  });

  it('keeps millisecond precision for Timestamps', () => {
    const date = new Date('2026-11-28T12:34:56.789Z');

    expect(Timestamp.decode(Timestamp.encode(Timestamp.fromPartial({ seconds: 1n, nanos: 5 })).finish())).toEqual({
      seconds: 1n,
      nanos: 5,
    });
    const status = capability.NodeCapabilityStatus.decode(
      capability.NodeCapabilityStatus.encode({
        enabled: true,
        lastSync: date,
        conditions: [],
        lastRevision: { revision: 0n },
      }).finish(),
    );
    expect(status.lastSync).toEqual(date);
  });
});

import type { QueueWrite } from './queue-store.js';
import { batchBuffers, decodeBatch, encodeBatch } from './sqlite-batch-codec.js';

describe('sqlite batch codec', () => {
  const writes: QueueWrite[] = [
    {
      op: 'insert',
      record: {
        id: 'ïd-1',
        seq: 2 ** 40 - 1,
        severity: 3,
        bytes: 3,
        dedupeKey: 'disk/☃',
        createdAt: 1_900_000_000_123,
        attempts: 7,
        occurrences: 2,
      },
      payload: new Uint8Array([1, 2, 3]),
    },
    {
      op: 'insert',
      record: {
        id: 'x',
        seq: 0,
        severity: 0,
        bytes: 0,
        dedupeKey: undefined,
        createdAt: 0,
        attempts: 0,
        occurrences: 1,
      },
      payload: new Uint8Array(0),
    },
    { op: 'replace', seq: 5, severity: 2, occurrences: 9, payload: Buffer.from('new content') },
    { op: 'delete', seq: 6 },
    { op: 'alias', alias: 'client-id', seq: 5 },
    { op: 'attempts', seq: 5, attempts: 4 },
  ];

  it('round-trips every kind of write, in order', () => {
    const decoded = decodeBatch(encodeBatch(writes));
    expect(decoded.map((w) => ('payload' in w ? { ...w, payload: [...w.payload] } : w))).toEqual(
      writes.map((w) => ('payload' in w ? { ...w, payload: [...w.payload] } : w)),
    );
  });

  it('copies payloads into one new buffer, so the originals (maybe pooled) are never transferred', () => {
    const pooled = Buffer.from('abc'); // a slice of Node's shared pool
    const batch = encodeBatch([{ op: 'replace', seq: 1, severity: 0, occurrences: 1, payload: pooled }]);
    expect(batch.payloads.byteLength).toBe(3);
    expect(batchBuffers(batch)).not.toContain(pooled.buffer);
    structuredClone(batch, { transfer: batchBuffers(batch) });
    expect(pooled.toString()).toBe('abc');
  });

  it('refuses an unknown opcode instead of misreading the rest', () => {
    const batch = encodeBatch([{ op: 'delete', seq: 1 }]);
    batch.numbers[0] = 42;
    expect(() => decodeBatch(batch)).toThrow('unknown write opcode 42');
  });
});

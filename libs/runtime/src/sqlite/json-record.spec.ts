import { decodeJsonRecord, encodeJsonRecord } from './json-record.js';

describe('JSON records', () => {
  it('round-trips Dates, bigints and Buffers, and leaves date-like strings alone', () => {
    const record = {
      at: new Date('2026-11-29T08:00:00.123Z'),
      revision: 9_007_199_254_740_993n,
      key: Buffer.from([0, 1, 2, 255]),
      label: '2026-11-29T08:00:00.123Z',
      nested: [{ when: new Date(0) }],
    };
    expect(decodeJsonRecord(encodeJsonRecord(record))).toEqual(record);
  });
});

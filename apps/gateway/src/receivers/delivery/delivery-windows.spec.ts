import { alerting } from '@app/proto';
import { batchesOf, takeDoneWindows, type Window } from './delivery-windows.js';

const window = (lastSeq: bigint, overrides: Partial<Window> = {}): Window => ({
  lastSeq,
  outstanding: 0,
  issued: true,
  delivered: 1,
  ...overrides,
});

const stored = (seq: bigint, severity: alerting.OpniSeverity): alerting.StoredNotification => ({
  clusterId: 'c',
  id: `n-${seq}`,
  severity,
  goldenSignal: alerting.GoldenSignal.Custom,
  seq,
});

describe('takeDoneWindows', () => {
  it('takes the done windows off the front: the cursor past the last, what they delivered', () => {
    const windows = [window(10n), window(20n, { delivered: 3 }), window(30n, { outstanding: 1 }), window(40n)];

    expect(takeDoneWindows(windows)).toEqual({ cursor: 20n, delivered: 4 });
    expect(windows.map((w) => w.lastSeq)).toEqual([30n, 40n]);
  });

  it('moves nothing while the oldest window is not issued or not answered', () => {
    const windows = [window(10n, { issued: false }), window(20n)];

    expect(takeDoneWindows(windows)).toEqual({ cursor: undefined, delivered: 0 });
    expect(windows).toHaveLength(2);
  });
});

describe('batchesOf', () => {
  const { Info, Warning, Critical } = alerting.OpniSeverity;
  const matching = [stored(1n, Info), stored(2n, Critical), stored(3n, Warning), stored(4n, Critical)];
  const seqs = (batches: Iterable<alerting.StoredNotification[]>) => [...batches].map((b) => b.map((s) => s.seq));

  it('keeps store order when reading one batch ahead', () => {
    expect(seqs(batchesOf(matching, 3, 1))).toEqual([[1n, 2n, 3n], [4n]]);
  });

  it('sends the most important first, then the oldest, when reading several batches ahead', () => {
    expect(seqs(batchesOf(matching, 3, 2))).toEqual([[2n, 4n, 3n], [1n]]);
  });
});

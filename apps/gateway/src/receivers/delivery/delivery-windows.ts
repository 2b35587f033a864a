import type { alerting } from '@app/proto';

/** One read of the store: the cursor moves past it once every batch of it is done. */
export interface Window {
  lastSeq: bigint;
  /** Received time of its oldest matching notification, for the lag. */
  oldest?: Date;
  /** Batches sent and not yet done (delivered, given up on or expired). */
  outstanding: number;
  /** Every batch of it has been sent (or dropped as expired). */
  issued: boolean;
  delivered: number;
}

/**
 * Takes the windows that are done (every batch issued and answered) off the
 * front, oldest first: the cursor may move past the last of them; how many
 * notifications they delivered. A window not done holds back every later one.
 */
export function takeDoneWindows(windows: Window[]): { cursor?: bigint; delivered: number } {
  let delivered = 0;
  let cursor: bigint | undefined;
  while (windows.length > 0 && windows[0].issued && windows[0].outstanding === 0) {
    const done = windows.shift()!;
    delivered += done.delivered;
    cursor = done.lastSeq;
  }
  return { cursor, delivered };
}

/** The matching notifications of a window in batches: most important first, then oldest (the agent's drain order). */
export function* batchesOf(
  matching: alerting.StoredNotification[],
  batchSize: number,
  readAheadBatches: number,
): Generator<alerting.StoredNotification[]> {
  const ordered = readAheadBatches > 1 ? [...matching].sort(byImportance) : matching;
  for (let offset = 0; offset < ordered.length; offset += batchSize) {
    yield ordered.slice(offset, offset + batchSize);
  }
}

function byImportance(a: alerting.StoredNotification, b: alerting.StoredNotification): number {
  return b.severity - a.severity || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);
}

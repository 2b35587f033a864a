import { InvalidArgumentError } from '@app/runtime';

/**
 * A cursor is base64url of the position of a page's last notification:
 * "s<seq>" in order=newest, "v<severity>s<seq>" in order=severity. Opaque to
 * clients; a typo, or a cursor of the other order, is caught rather than misread.
 */
const CURSOR_PAYLOAD = /^(?:v([0-9]))?s([1-9]\d{0,15})$/;

/** Where a page ended: what follows is what comes after it in the listing's order. */
export interface CursorPosition {
  seq: bigint;
  /** Set in order=severity: the severity of the page's last notification. */
  severity?: number;
}

/** The cursor of the page that follows the one ending at `seq`: what is older than it. */
export function encodeCursor(seq: bigint): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

/** The cursor of the page that follows one ending at (severity, seq) in order=severity. */
export function encodeSeverityCursor(severity: number, seq: bigint): string {
  return Buffer.from(`v${severity}s${seq}`).toString('base64url');
}

/** The position a cursor of a listing in `order` marks; InvalidArgumentError('cursor') unless it is one of ours. */
export function decodePosition(cursor: string, order: 'newest' | 'severity'): CursorPosition {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('latin1') : '';
  const match = CURSOR_PAYLOAD.exec(text);
  const seq = match ? BigInt(match[2]) : 0n; // seqs are 64-bit: a Number would round past 2^53
  const severity = match?.[1] === undefined ? undefined : Number(match[1]);
  const encoded = severity === undefined ? encodeCursor(seq) : encodeSeverityCursor(severity, seq);
  // Round-trip: base64url decoding ignores stray bits, so another string could decode to the same text.
  if (!match || encoded !== cursor)
    throw new InvalidArgumentError('cursor', 'is not a cursor from a previous page (pass nextCursor as it was given)');
  if ((severity === undefined) !== (order === 'newest'))
    throw new InvalidArgumentError('cursor', `is from a listing in another order: pass the same order as for its page`);
  return { seq, severity };
}

/** The seq a cursor of order=newest points at; InvalidArgumentError('cursor') unless it is one of ours. */
export function decodeCursor(cursor: string): bigint {
  return decodePosition(cursor, 'newest').seq;
}

import { InvalidArgumentError } from '@app/runtime';

/** A cursor is base64url("s<seq>"): opaque to clients, and a typo is caught rather than misread. */
const CURSOR_PAYLOAD = /^s([1-9]\d{0,15})$/;

/** The cursor of the page that follows the one ending at `seq`: what is older than it. */
export function encodeCursor(seq: bigint): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

/** The seq a cursor points at; InvalidArgumentError('cursor') unless it is one of ours. */
export function decodeCursor(cursor: string): bigint {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('latin1') : '';
  const match = CURSOR_PAYLOAD.exec(text);
  // Round-trip: base64url decoding ignores stray bits, so another string could decode to the same text.
  if (!match || encodeCursor(BigInt(match[1])) !== cursor)
    throw new InvalidArgumentError('cursor', 'is not a cursor from a previous page (pass nextCursor as it was given)');
  return BigInt(match[1]); // seqs are 64-bit: a Number would round past 2^53
}

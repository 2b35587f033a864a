/** Query parameters whose name says they carry a credential. */
const SECRET_NAME = /token|secret|key|pass|auth|credential|signature|session|cookie|pin/i;
/** A value that reads like a random credential (long, one opaque word): redacted whatever its name. */
const OPAQUE_VALUE = /^[A-Za-z0-9._~+/=-]{32,}$/;
/** Parameters of ours that carry long opaque values which are not secrets (pagination cursors). */
const NOT_SECRET = new Set(['cursor']);

export const REDACTED = '[redacted]';

function isSecret(name: string, value: string): boolean {
  if (NOT_SECRET.has(name)) return false;
  return SECRET_NAME.test(name) || OPAQUE_VALUE.test(value);
}

/**
 * `url` with the value of every query parameter that may be a credential
 * replaced by [redacted] (by its name, or by a value that reads like a
 * token), so a token sent in a query string, by mistake or by an attacker
 * guessing, never reaches the logs. The path and other parameters stay.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const parts = url
    .slice(start + 1)
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      const rawName = equals < 0 ? part : part.slice(0, equals);
      const rawValue = equals < 0 ? '' : part.slice(equals + 1);
      return isSecret(safeDecode(rawName), safeDecode(rawValue)) ? `${rawName}=${REDACTED}` : part;
    });
  return `${url.slice(0, start)}?${parts.join('&')}`;
}

/** A parsed query (Express' req.query) with the same parameters redacted. */
export function redactQuery(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(
    Object.entries(query as Record<string, unknown>).map(([name, value]) => [
      name,
      typeof value === 'string' && !isSecret(name, value) ? value : NOT_SECRET.has(name) ? value : REDACTED,
    ]),
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

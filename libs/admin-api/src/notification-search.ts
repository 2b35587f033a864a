/**
 * The list API's text search (`q`), one definition for the gateway's stores
 * and the admin page (which applies it to what arrives live): a notification
 * matches when every word of `q` starts a word of its title, body or a
 * property value, in any case. Words are runs of letters, digits and marks;
 * everything else (punctuation, quotes, operators) only separates them.
 */

/** Most characters `q` may have. */
export const MAX_SEARCH_LENGTH = 200;
/** Most words `q` may have. */
export const MAX_SEARCH_WORDS = 10;
/** Words are compared on their first this many characters (longer ones are cut when indexed and searched). */
export const SEARCH_WORD_LENGTH = 64;
/** Distinct words indexed per notification: bounds the index entry of a huge body. */
export const MAX_INDEXED_WORDS = 10_000;

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** The words of a text, lower case, each cut to SEARCH_WORD_LENGTH characters. */
export function searchWords(text: string): string[] {
  const words = text.toLowerCase().normalize('NFC').match(WORD) ?? [];
  return words.map((word) =>
    word.length > SEARCH_WORD_LENGTH ? [...word].slice(0, SEARCH_WORD_LENGTH).join('') : word,
  );
}

/** What of a notification `q` searches. */
export interface SearchedFields {
  title?: string;
  body?: string;
  properties?: Record<string, string>;
}

/** The distinct words of a notification's title, body and property values (at most MAX_INDEXED_WORDS). */
export function notificationWords({ title = '', body = '', properties = {} }: SearchedFields): string[] {
  const distinct = new Set<string>();
  for (const text of [title, body, ...Object.values(properties)]) {
    for (const word of searchWords(text)) {
      if (distinct.size >= MAX_INDEXED_WORDS) return [...distinct];
      distinct.add(word);
    }
  }
  return [...distinct];
}

/** Whether every word of `q` starts a word of the notification (true when `q` has no words). */
export function matchesSearch(fields: SearchedFields, q: string): boolean {
  const wanted = searchWords(q);
  if (wanted.length === 0) return true;
  const words = notificationWords(fields);
  return wanted.every((prefix) => words.some((word) => word.startsWith(prefix)));
}

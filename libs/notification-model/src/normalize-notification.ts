import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import type { NotificationLimits } from './notification-limits.js';
import { NotificationProperty } from './properties.js';
import {
  GOLDEN_SIGNAL_NAMES,
  SEVERITY_NAMES,
  parseGoldenSignalName,
  parseSeverityName,
  severityOf,
  type Severity,
} from './severity.js';

/** A valid notification with its defaults applied, and what the queue needs to know about it. */
export interface NormalizedNotification {
  notification: alerting.Notification;
  severity: Severity;
  /** opni_dedupe_key, when present. */
  dedupeKey?: string;
  /** opni_occurrences (1 when absent): how many occurrences the notification stands for. */
  occurrences: number;
  /** The notification as protobuf bytes: what the queue stores (its length is what it costs). */
  encoded: Uint8Array;
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The UTF-8 size of `text` when it may exceed `maxBytes`, else 0. A UTF-16
 * code unit takes at most 3 UTF-8 bytes, so short text needs no counting
 * (this runs ~10 times per notification on the agent's Notify path).
 */
const bytesOver = (text: string, maxBytes: number): number => {
  if (text.length * 3 <= maxBytes) return 0;
  const bytes = utf8Bytes(text);
  return bytes > maxBytes ? bytes : 0;
};

/** Property keys the system itself reads or sets: they do not count against the limits. */
const WELL_KNOWN_KEYS = new Set<string>(Object.values(NotificationProperty));

/** Lone UTF-16 surrogates cannot be encoded as UTF-8: protobuf would silently turn them into U+FFFD. */
function requireWellFormed(field: string, value: string): void {
  if (!value.isWellFormed()) throw new InvalidArgumentError(field, 'is not valid Unicode (lone surrogate)');
}

function requireText(field: string, value: string | undefined, maxBytes: number): string {
  if (value === undefined || value.trim() === '') {
    throw new InvalidArgumentError(field, 'is required and must not be blank');
  }
  requireWellFormed(field, value);
  const bytes = bytesOver(value, maxBytes);
  if (bytes) throw new InvalidArgumentError(field, `is ${bytes} bytes; at most ${maxBytes} are allowed`);
  return value;
}

/**
 * Validates a notification and applies the defaults (opni_severity Info,
 * opni_goldenSignal Custom; names are made canonical, so "critical" becomes
 * "Critical"). Throws InvalidArgumentError naming the first offending field,
 * e.g. `message.title` or `message.properties["opni_severity"]`.
 *
 * `stamp`: properties the caller sets after validation (the gateway's
 * session identity), so that `encoded` includes them and need not be
 * encoded again.
 */
export function normalizeNotification(
  message: alerting.Notification | undefined,
  limits: NotificationLimits,
  field = 'message',
  stamp?: Readonly<Record<string, string>>,
): NormalizedNotification {
  if (!message) throw new InvalidArgumentError(field, 'is required');
  const title = requireText(`${field}.title`, message.title, limits.maxTitleBytes);
  const body = requireText(`${field}.body`, message.body, limits.maxBodyBytes);

  const properties: Record<string, string> = { ...message.properties };
  let customKeys = 0;
  for (const key in properties) if (!WELL_KNOWN_KEYS.has(key)) customKeys++;
  if (customKeys > limits.maxProperties) {
    throw new InvalidArgumentError(
      `${field}.properties`,
      `has ${customKeys} entries besides the well-known opni_* ones; at most ${limits.maxProperties} are allowed`,
    );
  }
  for (const key in properties) {
    // Field names are built only on failure: this loop is on the agent's Notify path.
    if (!key.isWellFormed()) requireWellFormed(`${field}.properties`, key);
    if (!WELL_KNOWN_KEYS.has(key) && (key === '' || bytesOver(key, limits.maxPropertyKeyBytes))) {
      throw new InvalidArgumentError(
        `${field}.properties`,
        `key ${JSON.stringify(key.slice(0, 64))} must be 1 to ${limits.maxPropertyKeyBytes} bytes (is ${utf8Bytes(key)})`,
      );
    }
    const value = properties[key];
    if (!value.isWellFormed()) requireWellFormed(`${field}.properties[${JSON.stringify(key)}]`, value);
    const valueBytes = bytesOver(value, limits.maxPropertyValueBytes);
    if (valueBytes) {
      throw new InvalidArgumentError(
        `${field}.properties[${JSON.stringify(key)}]`,
        `is ${valueBytes} bytes; at most ${limits.maxPropertyValueBytes} are allowed`,
      );
    }
  }

  const severityText = properties[NotificationProperty.severity] ?? 'Info';
  const severity = parseSeverityName(severityText);
  if (!severity) {
    throw new InvalidArgumentError(
      `${field}.properties[${JSON.stringify(NotificationProperty.severity)}]`,
      `${JSON.stringify(severityText)} is not a severity; use one of ${SEVERITY_NAMES.join(', ')}`,
    );
  }
  const signalText = properties[NotificationProperty.goldenSignal] ?? 'Custom';
  const goldenSignal = parseGoldenSignalName(signalText);
  if (!goldenSignal) {
    throw new InvalidArgumentError(
      `${field}.properties[${JSON.stringify(NotificationProperty.goldenSignal)}]`,
      `${JSON.stringify(signalText)} is not a golden signal; use one of ${GOLDEN_SIGNAL_NAMES.join(', ')}`,
    );
  }
  const occurrences = occurrencesOf(properties[NotificationProperty.occurrences], field);
  properties[NotificationProperty.severity] = severity;
  properties[NotificationProperty.goldenSignal] = goldenSignal;
  if (stamp) Object.assign(properties, stamp);

  const dedupeKey = properties[NotificationProperty.dedupeKey] || undefined;
  const notification: alerting.Notification = { title, body, properties };
  return {
    notification,
    severity: severityOf(severity),
    dedupeKey,
    occurrences,
    encoded: encodeNotification(notification),
  };
}

/** The most occurrences one notification can stand for (the queue keeps counts as 32-bit integers). */
export const MAX_OCCURRENCES = 0xffff_ffff;

function occurrencesOf(text: string | undefined, field: string): number {
  if (text === undefined) return 1;
  const count = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : 0;
  if (count < 1 || count > MAX_OCCURRENCES) {
    throw new InvalidArgumentError(
      `${field}.properties[${JSON.stringify(NotificationProperty.occurrences)}]`,
      `${JSON.stringify(text.slice(0, 64))} is not a count of occurrences; use a whole number from 1 to ${MAX_OCCURRENCES}`,
    );
  }
  return count;
}

/**
 * One writer for every encode: finish() copies out the bytes and keeps the
 * buffer, so encoding stops allocating (and regrowing) a buffer per
 * notification. Safe because encoding is synchronous.
 */
const writer = new BinaryWriter();

export function encodeNotification(notification: alerting.Notification): Uint8Array {
  try {
    return alerting.Notification.encode(notification, writer).finish();
  } catch (error) {
    writer.finish(); // resets the writer, so a failed encode cannot leak into the next one
    throw error;
  }
}

/**
 * An encoded notification with one property set: the property's map entry
 * appended to the bytes. Protobuf decoding lets a later entry of a map key
 * win (a concatenation decodes as a merge), so the result decodes as the
 * notification with `properties[key] = value`, without decoding and encoding
 * the rest.
 */
export function withProperty(encoded: Uint8Array, key: string, value: string): Uint8Array {
  const entry = encodeNotification({ title: '', body: '', properties: { [key]: value } });
  const result = new Uint8Array(encoded.byteLength + entry.byteLength);
  result.set(encoded);
  result.set(entry, encoded.byteLength);
  return result;
}

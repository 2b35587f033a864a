// What the normalize-notification specs share: a valid notification to vary, builders of
// awkward input, and the exact error texts they expect.
import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { thrownBy } from '@app/testing';
import { DEFAULT_NOTIFICATION_LIMITS } from './notification-limits.js';
import type { NormalizedNotification } from './normalize-notification.js';

export const DEFAULTS = DEFAULT_NOTIFICATION_LIMITS;

export const SEVERITIES = 'use one of Info, Warning, Error, Critical';
export const SIGNALS = 'use one of Custom, Errors, Saturation, Traffic, Latency';
export const BLANK = 'is required and must not be blank';

export const TITLE = 'message.title';
export const BODY = 'message.body';
export const PROPERTIES = 'message.properties';
/** The field of the property `key`'s value, as errors name it. */
export const property = (key: string): string => `${PROPERTIES}[${JSON.stringify(key)}]`;

/** The error text for a field over its byte limit. */
export const tooLong = (field: string, bytes: number, max: number): string =>
  `${field}: is ${bytes} bytes; at most ${max} are allowed`;
/** The error text for `count` custom properties over `max`. */
export const tooMany = (count: number, max: number, field = PROPERTIES): string =>
  `${field}: has ${count} entries besides the well-known opni_* ones; at most ${max} are allowed`;
/** The error text for a key outside 1..max bytes (`shown` is how the message quotes it). */
export const badKey = (shown: string, max: number, bytes: number): string =>
  `${PROPERTIES}: key ${JSON.stringify(shown)} must be 1 to ${max} bytes (is ${bytes})`;
/** The field an error text names (everything before its first ': '). */
export const fieldOf = (error: string): string => error.slice(0, error.indexOf(': '));

/** A valid notification, with `overrides` applied. */
export function note(overrides: Partial<alerting.Notification> = {}): alerting.Notification {
  return { title: 'Disk full', body: 'node-1: /var is 99% full', properties: {}, ...overrides };
}

/** A valid notification with these properties. */
export const withProperties = (properties: Record<string, string>): alerting.Notification => note({ properties });

/** `count` properties p0, p1, … with short values, plus `extra`. */
export function manyProperties(count: number, extra: Record<string, string> = {}): Record<string, string> {
  const properties: Record<string, string> = {};
  for (let i = 0; i < count; i++) properties[`p${i}`] = `v${i}`;
  return { ...properties, ...extra };
}

/** For inputs the type forbids but callers outside TypeScript can send. */
export function loose(value: unknown): alerting.Notification {
  return value as alerting.Notification;
}

/** The InvalidArgumentError thrown by `fn`; fails the test if it throws nothing or something else. */
export const invalidArgument = (fn: () => unknown): InvalidArgumentError => thrownBy(InvalidArgumentError, fn);

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export function expectDecodesTo(result: NormalizedNotification): void {
  expect(alerting.Notification.decode(result.encoded)).toStrictEqual(result.notification);
}

export const euros = (n: number): string => '€'.repeat(n); // 3 bytes each
export const emoji = (n: number): string => '😀'.repeat(n); // 4 bytes each, 2 UTF-16 units

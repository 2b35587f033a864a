import { useEffect, useState } from 'preact/hooks';

const SECOND = 1_000;
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400 * SECOND],
  ['month', 30 * 86_400 * SECOND],
  ['week', 7 * 86_400 * SECOND],
  ['day', 86_400 * SECOND],
  ['hour', 3_600 * SECOND],
  ['minute', 60 * SECOND],
  ['second', SECOND],
];

/** "5 minutes ago", "in 2 hours", "now": in the browser's locale. */
export function relativeTime(ms: number, now: number): string {
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const delta = ms - now;
  // A few seconds ahead is the gateway's clock against this browser's, not the future.
  if (delta > 0 && delta < 5 * SECOND) return format.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size || unit === 'second') return format.format(Math.round(delta / size), unit);
  }
  return format.format(0, 'second');
}

/** The full time with its zone, in the browser's locale and zone: "6 Dec 2026, 04:15:56 CET". */
export function absoluteTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' });
}

/** Renders the component again every `everyMs`, so relative times stay true while the page is open. */
function useTick(everyMs = 15 * SECOND): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
}

/**
 * A time as people read it: relative ("5 minutes ago"), with the absolute
 * time and its zone on hover (in the browser's locale), and the exact instant
 * in `datetime`.
 */
export function TimeText({ iso }: { iso: string | null | undefined }) {
  useTick();
  // The API writes null or leaves a time out when there is none (never connected, say): not 1970.
  if (iso === undefined || iso === null) return <span>—</span>;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return <span>{iso}</span>;
  return (
    <time dateTime={iso} title={absoluteTime(ms)}>
      {relativeTime(ms, Date.now())}
    </time>
  );
}

/** Seconds of a Retry-After header given as delta-seconds, in ms; undefined when absent or a date. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

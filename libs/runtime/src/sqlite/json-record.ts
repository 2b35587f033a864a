/**
 * JSON for records kept as documents (SQLite rows now, JetStream KV entries
 * later): Dates and bigints come back as Dates and bigints, and strings that
 * merely look like dates stay strings.
 */
export function encodeJsonRecord(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key]; // before toJSON turned a Date into a string
    if (original instanceof Date) return { $date: original.getTime() };
    if (Buffer.isBuffer(original)) return { $bytes: original.toString('base64') };
    return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
  });
}

export function decodeJsonRecord<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object') {
      if ('$date' in v) return new Date((v as { $date: number }).$date);
      if ('$bigint' in v) return BigInt((v as { $bigint: string }).$bigint);
      if ('$bytes' in v) return Buffer.from((v as { $bytes: string }).$bytes, 'base64');
    }
    return v;
  }) as T;
}

import { stringify as toYaml } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The API's JSON as JSON (indented) or YAML; table output is each command's own. */
export function renderData(format: Exclude<OutputFormat, 'table'>, value: unknown): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return toYaml(value, { lineWidth: 0 });
}

/** Columns separated by three spaces, as kubectl prints them; a header in capitals; '' for no rows but the header. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('   ')
      .trimEnd();
  return [header, ...rows].map(line).join('\n') + '\n';
}

/** "Key:   value" lines, values aligned, as `kubectl describe` prints them; a multi-line value is indented. */
export function renderDetails(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([key]) => key.length)) + 1;
  return (
    pairs
      .map(([key, value]) => {
        const [first, ...rest] = value.split('\n');
        const indent = ' '.repeat(width + 2);
        return [`${`${key}:`.padEnd(width)}  ${first}`.trimEnd(), ...rest.map((more) => `${indent}${more}`)].join('\n');
      })
      .join('\n') + '\n'
  );
}

/** Labels as k=v,k=v (sorted), or "<none>" as kubectl shows an empty set. */
export function labelsText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length === 0 ? '<none>' : pairs.map(([key, value]) => `${key}=${value}`).join(',');
}

/** An RFC 3339 time to the second, in UTC (unambiguous in any locale), or "-" when absent. */
export function timeText(rfc3339: string | null | undefined): string {
  if (!rfc3339) return '-';
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? rfc3339 : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A time as people read it (the browser's locale and zone), with the exact UTC instant as a tooltip. */
export function TimeText({ iso }: { iso: string | null | undefined }) {
  // The API writes null or leaves a time out when there is none (never connected, say): not 1970.
  if (iso === undefined || iso === null) return <span>—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {new Date(iso).toLocaleString()}
    </time>
  );
}

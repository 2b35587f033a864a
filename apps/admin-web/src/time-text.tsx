/** A time as people read it (the browser's locale and zone), with the exact UTC instant as a tooltip. */
export function TimeText({ iso }: { iso: string | undefined }) {
  if (iso === undefined) return <span>—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {new Date(iso).toLocaleString()}
    </time>
  );
}

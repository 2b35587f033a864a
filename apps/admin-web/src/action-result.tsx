export interface Outcome {
  ok: boolean;
  text: string;
}

/** What the last button did, announced to screen readers (a failure assertively). */
export function ActionResult({ outcome }: { outcome: Outcome | undefined }) {
  return (
    <p role={outcome?.ok === false ? 'alert' : 'status'} class={outcome?.ok === false ? 'error' : 'outcome'}>
      {outcome?.text}
    </p>
  );
}

import { useEffect, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

interface Props {
  /** What is copied. */
  text: string;
  /** The element showing `text`: selected for the person to copy when the browser does not let the page. */
  shownIn: RefObject<HTMLElement | null>;
  /** The button's words, e.g. "Copy join command". */
  label: string;
  /** Why `text` must not be copied yet (e.g. a cluster id that is not one): said instead of copying. */
  refusal?: string;
}

/**
 * Copies `text` with the Clipboard API. Where the browser has none or refuses
 * (a page served over plain HTTP from another host is not a secure context),
 * it selects the text instead and says to press Ctrl+C.
 */
export function CopyButton({ text, shownIn, label, refusal }: Props) {
  const [outcome, setOutcome] = useState('');
  // What was said of another text (or refusal) is stale.
  useEffect(() => setOutcome(''), [text, refusal]);

  const copy = async () => {
    if (refusal) {
      setOutcome(`Not copied: ${refusal}`);
      return;
    }
    try {
      if (!navigator.clipboard) throw new Error('no Clipboard API');
      await navigator.clipboard.writeText(text);
      setOutcome('Copied.');
    } catch {
      const shown = shownIn.current;
      const selection = getSelection();
      if (shown && selection) selection.selectAllChildren(shown);
      setOutcome('This browser did not let the page copy: the text is selected, press Ctrl+C (⌘C on a Mac).');
    }
  };

  return (
    <>
      <button type="button" aria-disabled={refusal ? true : undefined} onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" class="hint">
        {outcome}
      </span>
    </>
  );
}

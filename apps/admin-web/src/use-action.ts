import { useState } from 'preact/hooks';
import type { Outcome } from './action-result.js';

/**
 * A component's buttons that change something at the gateway: `act` runs one
 * (busy meanwhile), keeps what it said, or "<what> failed: …", as the outcome
 * to show with ActionResult, then calls `onChanged` to read the data again.
 */
export function useAction(onChanged: () => void) {
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [busy, setBusy] = useState(false);
  const act = async (what: string, action: () => Promise<string>) => {
    setBusy(true);
    try {
      setOutcome({ ok: true, text: await action() });
    } catch (error) {
      setOutcome({ ok: false, text: `${what} failed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  return { outcome, setOutcome, busy, act };
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { readProblem } from './api/reachability.js';

/**
 * Runs `poll` now and then every `intervalMs` (restarting when an entry of
 * `deps` changes) until the component goes away; a poll never overlaps the
 * previous one, and an unmounted component's poll is aborted.
 */
export function usePolling(poll: (signal: AbortSignal) => Promise<void>, intervalMs: number, deps: unknown[]): void {
  const latest = useRef(poll);
  latest.current = poll;
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await latest.current(abort.signal);
      } finally {
        if (!abort.signal.aborted) timer = setTimeout(() => void run(), intervalMs);
      }
    };
    void run();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [intervalMs, ...deps]);
}

/**
 * usePolling for a view that reads from the gateway and says when it could
 * not: returns the last read's problem (see readProblem), cleared by the next
 * read that succeeds; an aborted read changes nothing.
 */
export function usePolledRead(
  read: (signal: AbortSignal) => Promise<void>,
  intervalMs: number,
  deps: unknown[],
): string | undefined {
  const [error, setError] = useState<string | undefined>();
  usePolling(
    async (signal) => {
      try {
        await read(signal);
        setError(undefined);
      } catch (failure) {
        if (!signal.aborted) setError(readProblem(failure));
      }
    },
    intervalMs,
    deps,
  );
  return error;
}

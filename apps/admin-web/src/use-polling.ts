import { useEffect, useRef } from 'preact/hooks';

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

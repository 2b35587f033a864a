import { useEffect } from 'preact/hooks';
import { gatewayFetch, useReachability } from '../api/reachability.js';
import { absoluteTime, TimeText } from '../time-text.js';

/** While the gateway does not answer, it is asked this often (its public /healthz) so the banner goes as soon as it is back. */
const PROBE_MS = 3_000;

/**
 * One banner while the gateway does not answer: since when, that the page
 * retries, and how old what it shows is. The views stay, greyed (see
 * `.stale`), rather than showing states the page cannot vouch for.
 */
export function OutageBanner() {
  const { unreachableSince, lastAnswerAt } = useReachability();
  const down = unreachableSince !== undefined;

  useEffect(() => {
    if (!down) return;
    const abort = new AbortController();
    const timer = setInterval(() => {
      gatewayFetch('/healthz', { signal: abort.signal, cache: 'no-store' }).catch(() => undefined);
    }, PROBE_MS);
    return () => {
      clearInterval(timer);
      abort.abort();
    };
  }, [down]);

  if (!down) return null;
  return (
    <div class="outage-banner" role="alert" data-testid="outage-banner">
      <strong>
        Gateway unreachable since{' '}
        <time dateTime={new Date(unreachableSince).toISOString()} title={absoluteTime(unreachableSince)}>
          {new Date(unreachableSince).toLocaleTimeString()}
        </time>
        , retrying.
      </strong>{' '}
      {lastAnswerAt === undefined ? (
        'Nothing could be read from it yet.'
      ) : (
        <>
          What is shown is from before: last updated <TimeText iso={new Date(lastAnswerAt).toISOString()} />.
        </>
      )}
    </div>
  );
}

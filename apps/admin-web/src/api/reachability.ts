// Whether the gateway answers, as every API call of the page finds out: the
// outage banner and the greying of stale data read it, so that the page never
// shows a green state it cannot currently vouch for.
import { useEffect, useState } from 'preact/hooks';

export interface Reachability {
  /** Since when no request reached the gateway (epoch ms); undefined while it answers. */
  unreachableSince: number | undefined;
  /** When a request last reached it (epoch ms): the age of what the page shows during an outage. */
  lastAnswerAt: number | undefined;
  /** Why the last request failed, as the browser put it. */
  detail: string | undefined;
}

let current: Reachability = { unreachableSince: undefined, lastAnswerAt: undefined, detail: undefined };
const listeners = new Set<(state: Reachability) => void>();

function publish(next: Reachability): void {
  current = next;
  for (const listener of listeners) listener(current);
}

/** A response came back (any status: even a 4xx is the gateway answering). */
export function reportAnswer(): void {
  const wasDown = current.unreachableSince !== undefined;
  current = { ...current, lastAnswerAt: Date.now() };
  if (wasDown) publish({ ...current, unreachableSince: undefined, detail: undefined });
}

/** A request got no answer (network error, or a proxy's 502/504). */
export function reportNoAnswer(detail: string): void {
  if (current.unreachableSince !== undefined) return;
  publish({ ...current, unreachableSince: Date.now(), detail });
}

export function reachability(): Reachability {
  return current;
}

export function onReachability(listener: (state: Reachability) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The reachability, re-rendering the component when it changes. */
export function useReachability(): Reachability {
  const [state, setState] = useState(current);
  useEffect(() => {
    setState(current);
    return onReachability(setState);
  }, []);
  return state;
}

/** No answer from the gateway: the outage banner says so, once, for the whole page. */
export class GatewayUnreachableError extends Error {
  constructor(readonly detail: string) {
    super('The gateway did not answer.');
    this.name = 'GatewayUnreachableError';
  }
}

/**
 * What a background read (polling) that failed should show in its view:
 * nothing for an unreachable gateway (the banner tells it; the view keeps
 * its last data, greyed), the error's message otherwise.
 */
export function readProblem(error: unknown): string | undefined {
  if (error instanceof GatewayUnreachableError) return undefined;
  return error instanceof Error ? error.message : String(error);
}

/**
 * fetch, reporting whether the gateway answered. An abort is neither (the
 * page gave up, not the gateway); a 502 or 504 is a proxy saying the gateway
 * did not answer.
 */
export async function gatewayFetch(input: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(input, init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    const detail = error instanceof Error ? error.message : String(error);
    reportNoAnswer(detail);
    throw new GatewayUnreachableError(detail);
  }
  if (response.status === 502 || response.status === 504) reportNoAnswer(`HTTP ${response.status}`);
  else reportAnswer();
  return response;
}

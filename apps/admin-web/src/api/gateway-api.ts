// Every call the page makes to the gateway's HTTP API goes through here, so
// the token is always sent and a 401 always leads back to the token prompt.
import { adminToken, forgetAdminToken } from './admin-token.js';
import { gatewayFetch } from './reachability.js';

/**
 * An API answer other than 2xx. `detail` is the gateway's own message (its
 * body's `message`, e.g. "ttl: must be …" for a 400, which names the field)
 * where it gave one; `message` prefixes it with the status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`HTTP ${status}: ${detail}`);
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever the gateway answers 401: the token is forgotten and must be asked for again. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function authorizationHeaders(): Record<string, string> {
  const token = adminToken();
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}

/** Fails with ApiError on any status but 2xx; on 401 also tells the listeners. */
export async function checked(response: Response): Promise<Response> {
  if (response.ok) return response;
  if (response.status === 401) {
    forgetAdminToken();
    for (const listener of unauthorizedListeners) listener();
  }
  const text = await response.text();
  let message = text || response.statusText;
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: the text is the message
  }
  throw new ApiError(response.status, message);
}

export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await gatewayFetch(path, { headers: authorizationHeaders(), signal });
  return (await (await checked(response)).json()) as T;
}

export async function apiPost<T>(path: string, body?: unknown): Promise<T> {
  const response = await gatewayFetch(path, {
    method: 'POST',
    headers: { ...authorizationHeaders(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await (await checked(response)).json()) as T;
}

export async function apiDelete<T>(path: string): Promise<T> {
  const response = await gatewayFetch(path, { method: 'DELETE', headers: authorizationHeaders() });
  return (await (await checked(response)).json()) as T;
}

/** Like apiGet, but a 404 (nothing there yet: no sync, no task) is undefined rather than an error. */
export async function apiGetOptional<T>(path: string, signal?: AbortSignal): Promise<T | undefined> {
  try {
    return await apiGet<T>(path, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

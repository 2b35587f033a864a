import type {
  ClusterListJson,
  ClusterView,
  CreatedTokenView,
  InstallView,
  NewTokenRequest,
  NodeStatusView,
  NotificationListJson,
  TaskStatusView,
  TokenView,
} from '@app/admin-api';
import type { Connection } from './connection.js';

/** The gateway answered with an error status; `kind` and `message` are its JSON error body's when it sent one. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly status: number,
    readonly kind: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** No answer from the gateway: refused, reset, unknown host, or nothing within the timeout. */
export class GatewayUnreachableError extends Error {
  override readonly name = 'GatewayUnreachableError';
}

export type Query = Record<string, string | readonly string[] | undefined>;

/** The filters of GET /api/v1/notifications, as its query parameters. */
export interface NotificationQuery {
  cluster?: readonly string[];
  severity?: readonly string[];
  goldenSignal?: readonly string[];
  since?: string;
  until?: string;
  q?: string;
  dedupeKey?: string;
  order?: string;
  limit?: number;
  cursor?: string;
}

/** The filters of GET /api/v1/notifications/stream. */
export interface StreamQuery {
  cluster?: readonly string[];
  minSeverity?: string;
}

/** Why a fetch failed, from its cause (fetch wraps the socket's error in a TypeError "fetch failed"). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

const pathOf = (...segments: string[]) => segments.map(encodeURIComponent).join('/');

/**
 * The gateway's admin HTTP API (`/api/v1/...`), typed with @app/admin-api's
 * shapes. Every call carries `Authorization: Bearer <admin token>` and ends
 * within the connection's timeout.
 */
export class AdminClient {
  constructor(
    private readonly connection: Pick<Connection, 'baseUrl' | 'token' | 'timeoutMs'>,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The URL of an API path ("api/v1/..."), relative to the base so that a proxy's path prefix is kept. */
  url(path: string, query: Query = {}): URL {
    const url = new URL(path, this.connection.baseUrl);
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const one of typeof value === 'string' ? [value] : value) url.searchParams.append(name, one);
    }
    return url;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.connection.token;
    return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  }

  /** Sends one request; resolves to the parsed JSON body (undefined for 204), rejects with GatewayError / GatewayUnreachableError. */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, options: { query?: Query; body?: unknown } = {}) {
    const response = await this.send(this.url(path, options.query), {
      method,
      headers: this.headers(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(this.connection.timeoutMs),
    });
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.unreachable(error, method, path);
    }
    if (!response.ok) throw errorFromResponse(response.status, text);
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new GatewayError(
        response.status,
        undefined,
        `the gateway answered ${response.status} with a body that is not JSON`,
      );
    }
  }

  /** fetch, with network failures and timeouts as GatewayUnreachableError. */
  async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, init);
    } catch (error) {
      throw this.unreachable(error, init.method ?? 'GET', url.pathname);
    }
  }

  private unreachable(error: unknown, method: string, path: string): GatewayUnreachableError {
    const name = (error as Error | undefined)?.name;
    const base = this.connection.baseUrl.origin;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new GatewayUnreachableError(
        `no answer from the gateway at ${base} to ${method} ${path} within ${this.connection.timeoutMs / 1000} s (raise --timeout?)`,
      );
    }
    return new GatewayUnreachableError(
      `cannot reach the gateway at ${base} (${networkReason(error)}); is it running there? Set --gateway or DOWNSTREAM_GATEWAY_URL`,
    );
  }

  listTokens() {
    return this.request<{ tokens: TokenView[] }>('GET', 'api/v1/tokens');
  }

  createToken(request: NewTokenRequest) {
    return this.request<CreatedTokenView>('POST', 'api/v1/tokens', { body: request });
  }

  revokeToken(id: string) {
    return this.request<TokenView>('DELETE', `api/v1/tokens/${pathOf(id)}`);
  }

  listClusters() {
    return this.request<ClusterListJson>('GET', 'api/v1/clusters');
  }

  getCluster(id: string) {
    return this.request<ClusterView>('GET', `api/v1/clusters/${pathOf(id)}`);
  }

  deleteCluster(id: string) {
    return this.request<void>('DELETE', `api/v1/clusters/${pathOf(id)}`);
  }

  installAlerting(cluster: string, ignoreWarnings: boolean) {
    return this.request<InstallView>('POST', `${alerting(cluster)}/install`, { body: { ignoreWarnings } });
  }

  alertingStatus(cluster: string) {
    return this.request<NodeStatusView>('GET', `${alerting(cluster)}/status`);
  }

  uninstallAlerting(cluster: string, options: { deleteStoredData?: boolean; initialDelay?: string }) {
    return this.request<TaskStatusView>('POST', `${alerting(cluster)}/uninstall`, { body: options });
  }

  uninstallStatus(cluster: string) {
    return this.request<TaskStatusView>('GET', `${alerting(cluster)}/uninstall`);
  }

  cancelUninstall(cluster: string) {
    return this.request<TaskStatusView>('POST', `${alerting(cluster)}/uninstall/cancel`);
  }

  listNotifications(query: NotificationQuery) {
    const { limit, ...rest } = query;
    return this.request<NotificationListJson>('GET', 'api/v1/notifications', {
      query: { ...rest, limit: limit === undefined ? undefined : String(limit) },
    });
  }

  /**
   * Opens the live feed (Server-Sent Events). Resolves to the response once
   * its status is 200; errors as request()'s. No timeout: it stays open until
   * `signal` aborts or the gateway ends it.
   */
  async openStream(query: StreamQuery, lastEventId: string | undefined, signal?: AbortSignal): Promise<Response> {
    const response = await this.send(this.url('api/v1/notifications/stream', { ...query }), {
      method: 'GET',
      headers: this.headers({
        accept: 'text/event-stream',
        ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
      }),
      signal,
    });
    if (response.status !== 200) {
      const text = await response.text().catch(() => '');
      throw errorFromResponse(response.status, text);
    }
    return response;
  }
}

function alerting(cluster: string): string {
  return `api/v1/clusters/${pathOf(cluster)}/capabilities/alerting`;
}

/** The gateway's error body ({"error": kind, "message": …}, or Nest's {"statusCode", "message"}) as a GatewayError. */
export function errorFromResponse(status: number, text: string): GatewayError {
  let kind: string | undefined;
  let message = text.trim().slice(0, 500) || `HTTP ${status}`;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') kind = body.error;
    if (typeof body.message === 'string') message = body.message;
    else if (Array.isArray(body.message)) message = body.message.join('; ');
  } catch {
    // not JSON: keep the text
  }
  return new GatewayError(status, kind, message);
}

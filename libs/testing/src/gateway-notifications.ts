import { adminHeaders } from './gateway-secrets.js';

/** One notification of the gateway's GET /api/v1/notifications listing. */
export interface GatewayNotification {
  seq: string;
  clusterId: string;
  id: string;
  title: string;
  body: string;
  severity: string;
  goldenSignal: string;
  receivedAt: string;
  properties: Record<string, string>;
}

/**
 * Every notification the gateway lists for `query` (URL search parameters,
 * e.g. `cluster=c1`), newest first, following nextCursor page by page.
 */
export async function fetchGatewayNotifications(
  httpAddress: string,
  query: Record<string, string> = {},
): Promise<GatewayNotification[]> {
  const all: GatewayNotification[] = [];
  let cursor: string | undefined;
  do {
    const params = new URLSearchParams({ ...query, limit: '1000', ...(cursor ? { cursor } : {}) });
    const url = `http://${httpAddress}/api/v1/notifications?${params}`;
    const response = await fetch(url, { headers: adminHeaders(httpAddress) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}: ${text.slice(0, 500)}`);
    const page = JSON.parse(text) as { notifications: GatewayNotification[]; nextCursor?: string | null };
    all.push(...page.notifications);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

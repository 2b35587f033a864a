import { adminHeaders } from './gateway-secrets.js';
import type { GatewayNotification } from './gateway-notifications.js';
import { readSseBlocks } from './sse-blocks.js';

/** The gateway's live feed (GET /api/v1/notifications/stream, Server-Sent Events), as a test reads it. */
export interface GatewayFeed {
  /** Every notification event so far, in arrival order, with when it arrived (performance.now()). */
  readonly received: { notification: GatewayNotification; at: number }[];
  /** Called for each notification as it arrives. */
  onNotification?: (notification: GatewayNotification, at: number) => void;
  /** Resolves when the stream has ended. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Subscribes to a gateway's SSE feed (`query`: e.g. `{ cluster: 'c1' }`) with the admin token of a gateway the tests started. */
export async function openGatewayFeed(httpAddress: string, query: Record<string, string> = {}): Promise<GatewayFeed> {
  const abort = new AbortController();
  const url = `http://${httpAddress}/api/v1/notifications/stream?${new URLSearchParams(query)}`;
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...adminHeaders(httpAddress) },
    signal: abort.signal,
  });
  if (response.status !== 200 || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const feed: GatewayFeed = {
    received: [],
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  (feed as { ended: Promise<void> }).ended = readSseBlocks(response.body, (block) => {
    const lines = block.split('\n');
    if (!lines.includes('event: notification')) return;
    const data = lines.find((line) => line.startsWith('data: '));
    if (!data) return;
    const notification = JSON.parse(data.slice(6)) as GatewayNotification;
    const at = performance.now();
    feed.received.push({ notification, at });
    feed.onNotification?.(notification, at);
  });
  return feed;
}

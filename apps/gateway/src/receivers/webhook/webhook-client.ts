import { Injectable } from '@nestjs/common';
import type { PostOutcome } from '../delivery/delivery-integration.js';
import { retryAfterMs } from '../delivery/retry-after.js';

/** Where and how one receiver's POSTs go. */
export interface WebhookTarget {
  /** Without credentials: fetch refuses URLs that carry them. */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** How much of an error response's body goes into the error message. */
const SNIPPET_BYTES = 300;

/**
 * The target for a receiver's URL: credentials in the URL (https://user:pass@host)
 * become a Basic Authorization header, unless the headers already have one.
 */
export function webhookTarget(url: string, headers: Record<string, string>, timeoutMs: number): WebhookTarget {
  const parsed = new URL(url);
  const merged: Record<string, string> = { ...headers };
  if (parsed.username !== '' || parsed.password !== '') {
    const hasAuthorization = Object.keys(merged).some((name) => name.toLowerCase() === 'authorization');
    if (!hasAuthorization) {
      const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
      merged.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    parsed.username = '';
    parsed.password = '';
  }
  return { url: parsed.toString(), headers: merged, timeoutMs };
}

async function snippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}: ${cause.message ?? ''}`.trim();
  return cause?.message ?? (error as Error).message ?? String(error);
}

/** POSTs webhook payloads (Node's fetch) and classifies the answer. */
@Injectable()
export class WebhookClient {
  /**
   * Sends `body` (JSON) to the target. Never throws for the receiver's
   * failures — they are outcomes; rejects only when `cancel` aborts (shutdown).
   */
  async post(target: WebhookTarget, body: string, cancel: AbortSignal): Promise<PostOutcome> {
    const timeout = AbortSignal.timeout(target.timeoutMs);
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'downstream-alerting-gateway', ...target.headers },
        body,
        // A redirect of a POST is followed as a GET by fetch; report it instead.
        redirect: 'manual',
        signal: AbortSignal.any([cancel, timeout]),
      });
    } catch (error) {
      if (cancel.aborted) throw error;
      if (timeout.aborted) return { ok: false, kind: 'transient', message: `timed out after ${target.timeoutMs} ms` };
      return { ok: false, kind: 'transient', message: describeNetworkError(error) };
    }

    const { status } = response;
    if (status >= 200 && status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, status };
    }
    const text = await snippet(response).catch(() => '');
    const message = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${text ? `: ${text}` : ''}`;
    const transient = status === 408 || status === 429 || status >= 500;
    return {
      ok: false,
      kind: transient ? 'transient' : 'rejected',
      status,
      message,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }
}

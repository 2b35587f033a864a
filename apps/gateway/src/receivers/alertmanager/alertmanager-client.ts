import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { PostOutcome } from '../delivery/delivery-integration.js';
import { retryAfterMs } from '../delivery/retry-after.js';
import type { AlertmanagerTargetConfig } from './alertmanager-target-config.js';

/** How much of an error response's body goes into the error message (Alertmanager's validation errors are short). */
const SNIPPET_BYTES = 1_000;

/** One Alertmanager of a target: where its alerts API is. */
export interface AlertmanagerPeer {
  /** The configured base URL, for logs and the API (credentials removed). */
  url: string;
  /** `<url>/api/v2/alerts` */
  alertsURL: URL;
}

/** A peer URL's credentials (https://user:pass@host) become Basic auth unless the target declares its own. */
function authorizationOf(config: AlertmanagerTargetConfig): string | undefined {
  if (config.bearerToken) return `Bearer ${config.bearerToken}`;
  if (config.basicAuth) {
    const { username, password } = config.basicAuth;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  return undefined;
}

/**
 * Posts alerts to the Alertmanagers of one target over kept-alive
 * connections, trusting the target's CA for https:// peers.
 */
export class AlertmanagerClient {
  readonly peers: AlertmanagerPeer[];
  private readonly headers: Record<string, string>[];
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent: HttpsAgent;

  constructor(private readonly config: AlertmanagerTargetConfig) {
    const ca = config.tlsCaFile ? readFileSync(config.tlsCaFile, 'utf8') : undefined;
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 4, ...(ca ? { ca } : {}) });
    const configured = authorizationOf(config);
    this.peers = [];
    this.headers = [];
    for (const url of config.urls) {
      const parsed = new URL(url);
      let authorization = configured;
      if (!authorization && (parsed.username !== '' || parsed.password !== '')) {
        const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
        authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      }
      parsed.username = '';
      parsed.password = '';
      const alertsURL = new URL(`${parsed.pathname.replace(/\/+$/, '')}/api/v2/alerts`, parsed);
      this.peers.push({ url: parsed.toString(), alertsURL });
      this.headers.push({
        'Content-Type': 'application/json',
        'User-Agent': 'downstream-alerting-gateway',
        ...(authorization ? { Authorization: authorization } : {}),
      });
    }
  }

  /** POSTs `body` to peer `index`. Never throws for the peer's failures; rejects only when `cancel` aborts. */
  post(index: number, body: string, cancel: AbortSignal): Promise<PostOutcome> {
    const { alertsURL } = this.peers[index];
    const timeoutMs = this.config.timeoutMs;
    const https = alertsURL.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: PostOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        cancel.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(cancel.reason);
      };
      const req = (https ? httpsRequest : httpRequest)(alertsURL, {
        method: 'POST',
        agent: https ? this.httpsAgent : this.httpAgent,
        headers: { ...this.headers[index], 'Content-Length': Buffer.byteLength(body) },
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ ok: false, kind: 'transient', message: `timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) =>
        finish({
          ok: false,
          kind: 'transient',
          message: error.code ? `${error.code}: ${error.message}` : error.message,
        }),
      );
      req.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          if (bytes < SNIPPET_BYTES) chunks.push(chunk);
          bytes += chunk.byteLength;
        });
        response.on('error', () => undefined);
        response.on('end', () => {
          if (status >= 200 && status < 300) return finish({ ok: true, status });
          const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
          const message = `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}${text ? `: ${text}` : ''}`;
          const transient = status === 408 || status === 429 || status >= 500;
          const retryAfter = response.headers['retry-after'];
          finish({
            ok: false,
            kind: transient ? 'transient' : 'rejected',
            status,
            message,
            retryAfterMs: retryAfterMs(typeof retryAfter === 'string' ? retryAfter : null),
          });
        });
      });
      if (cancel.aborted) return onAbort();
      cancel.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The API server, reached with @kubernetes/client-node's KubeConfig (a
 * kubeconfig file, or the in-cluster service account: server, CA, token and
 * its rotation, client certificates, exec plugins). Requests go through Node's
 * https with the options KubeConfig produces rather than through the
 * generated API classes, because the source needs what those hide: the raw
 * lines of a watch (to count garbage instead of skipping it silently, and to
 * bound a line's size) and each list item as JSON (one malformed event must
 * not fail a whole list's deserialisation).
 */

/** A response that is not 2xx, with the Kubernetes Status it carried when there was one. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: { reason?: string; message?: string; code?: number } | undefined,
    path: string,
  ) {
    super(`GET ${path}: HTTP ${statusCode}${status?.message ? `: ${status.message}` : ''}`);
  }
}

export interface WatchHandlers {
  /** One line of the stream (a JSON object, if the server is well). */
  line(text: string): void;
  /** A line longer than maxLineBytes was skipped (its bytes were not kept). */
  oversized(bytes: number): void;
}

/** The longest list page or watch line read (a 10 MB event is read; anything past this is refused, not buffered). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;

export class KubeApiClient {
  private readonly config = new KubeConfig();

  /** `kubeconfigPath` empty: the in-cluster service account. */
  constructor(kubeconfigPath: string) {
    if (kubeconfigPath) this.config.loadFromFile(kubeconfigPath);
    else this.config.loadFromCluster();
    if (!this.config.getCurrentCluster()) throw new Error(`kubeconfig ${kubeconfigPath}: no current cluster`);
  }

  get server(): string {
    return this.config.getCurrentCluster()!.server;
  }

  private async open(
    path: string,
    query: Record<string, string>,
  ): Promise<{ response: IncomingMessage; abort: () => void }> {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
    await this.config.applyToHTTPSOptions(options);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (response) => resolve({ response, abort: () => req.destroy() }));
      req.on('error', reject);
      req.end();
    });
  }

  /** GETs JSON; throws KubeApiError for a status other than 2xx. */
  async get(path: string, query: Record<string, string> = {}): Promise<unknown> {
    const { response } = await this.open(path, query);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_LINE_BYTES * 4) {
        response.destroy();
        throw new Error(`GET ${path}: response larger than ${MAX_LINE_BYTES * 4} bytes`);
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw new KubeApiError(status, parseStatus(text), path);
    return JSON.parse(text) as unknown;
  }

  /**
   * Opens a watch and feeds its lines to `handlers` until the server ends it
   * (resolves), the connection fails (rejects) or `stop()` is called. A
   * non-2xx answer rejects with KubeApiError. `pause`/`resume` apply TCP
   * backpressure while the caller catches up.
   */
  async watch(
    path: string,
    query: Record<string, string>,
    handlers: WatchHandlers,
  ): Promise<{ done: Promise<void>; stop: () => void; pause: () => void; resume: () => void }> {
    const { response, abort } = await this.open(path, { ...query, watch: 'true' });
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const chunks: Buffer[] = [];
      for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
      throw new KubeApiError(status, parseStatus(Buffer.concat(chunks).toString('utf8')), path);
    }
    let stopped = false;
    const done = new Promise<void>((resolve, reject) => {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let skipping = 0; // > 0: inside an oversized line, counting its bytes
      response.on('data', (chunk: Buffer) => {
        let start = 0;
        for (;;) {
          const end = chunk.indexOf(NEWLINE, start);
          const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
          if (skipping > 0) skipping += piece.length;
          else if (pendingBytes + piece.length > MAX_LINE_BYTES) {
            skipping = pendingBytes + piece.length;
            pending = [];
            pendingBytes = 0;
          } else if (piece.length > 0) {
            pending.push(piece);
            pendingBytes += piece.length;
          }
          if (end === -1) break;
          if (skipping > 0) handlers.oversized(skipping);
          else if (pendingBytes > 0) handlers.line(Buffer.concat(pending, pendingBytes).toString('utf8'));
          skipping = 0;
          pending = [];
          pendingBytes = 0;
          start = end + 1;
        }
      });
      response.on('end', () => {
        if (pendingBytes > 0) handlers.line(Buffer.concat(pending, pendingBytes).toString('utf8'));
        resolve();
      });
      response.on('error', (error) => (stopped ? resolve() : reject(error)));
      response.on('aborted', () => (stopped ? resolve() : reject(new Error('watch connection aborted'))));
      response.on('close', () =>
        stopped || response.complete ? resolve() : reject(new Error('watch connection closed before its end')),
      );
    });
    return {
      done,
      stop: () => {
        stopped = true;
        abort();
      },
      pause: () => response.pause(),
      resume: () => response.resume(),
    };
  }
}

function parseStatus(text: string): { reason?: string; message?: string; code?: number } | undefined {
  try {
    const parsed = JSON.parse(text) as { kind?: string; reason?: string; message?: string; code?: number };
    return parsed?.kind === 'Status' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the test server received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the server answered. */
  status: number;
}

/** How to answer request number `index` (0-based); a status, or full control of the response. */
export type Responder = (
  request: Omit<ReceivedRequest, 'status'>,
  index: number,
) => number | ((res: ServerResponse) => number);

/**
 * TEST HELPER — a real HTTP webhook receiver on 127.0.0.1 (port 0) that
 * records every request and answers what `respond` says (200 by default).
 */
export class WebhookServer {
  readonly requests: ReceivedRequest[] = [];
  respond: Responder = () => 200;
  private readonly server: Server;
  private readonly open = new Set<Socket>();

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        const answer = this.respond(request, this.requests.length);
        const record = { ...request, status: 0 };
        this.requests.push(record);
        if (typeof answer === 'number') {
          res.writeHead(answer, { 'Content-Type': 'text/plain' }).end(answer >= 300 ? `answer ${answer}` : 'ok');
          record.status = answer;
        } else {
          record.status = answer(res);
        }
      });
    });
    this.server.on('connection', (socket) => {
      this.open.add(socket);
      socket.on('close', () => this.open.delete(socket));
    });
  }

  static async start(): Promise<WebhookServer> {
    const webhook = new WebhookServer();
    await new Promise<void>((resolve) => webhook.server.listen(0, '127.0.0.1', resolve));
    return webhook;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Bodies of the requests answered 2xx, parsed. */
  accepted<T = unknown>(): T[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => JSON.parse(r.body) as T);
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

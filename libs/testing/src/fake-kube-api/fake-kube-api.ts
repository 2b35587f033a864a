import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { newEvent, microTime, type EventSpec, type EventsV1Event } from './event-objects.js';
import {
  CORE_V1,
  decodeContinue,
  encodeContinue,
  EVENTS_V1,
  forbidden,
  render,
  resourceList,
  status,
  type Stored,
  type WatchEvent,
} from './kube-wire.js';
import { kubeconfig } from './kubeconfig.js';
import { selfSignedCertificate } from './self-signed.js';

/**
 * TEST FIXTURE — a fake Kubernetes API server serving events, for tests that
 * cannot have a cluster. Real HTTPS (a self-signed certificate a kubeconfig
 * trusts), bearer tokens, and the wire format of list and watch, so the agent
 * talks to it through @kubernetes/client-node exactly as to a cluster. See
 * README.md beside this file for what it reproduces and what not.
 */

export interface FakeKubeApiOptions {
  /** How long a watch stays open when the client asks for no timeoutSeconds (the real server: 30 to 60 min). */
  watchTimeoutMs?: number;
  /** How often open watches that allow bookmarks get one (the real server: about every minute); 0: only bookmark(). */
  bookmarkIntervalMs?: number;
  /** Serve events.k8s.io/v1 (default) or only core/v1, as a cluster before 1.19. */
  eventsV1?: boolean;
  /** The first resourceVersion minus one (default 1000); a demo restarting the server picks an increasing one. */
  initialResourceVersion?: number;
  /** How a watch from an expired resourceVersion is refused: an ERROR event with a 410 Status in a 200 stream (the watch cache, default), or HTTP 410 with a Status body. */
  expiredWatch?: 'event' | 'status';
}

interface OpenWatch {
  res: ServerResponse;
  namespace: string | undefined;
  core: boolean;
  bookmarks: boolean;
  timer: NodeJS.Timeout;
}

/** A request the server answered, for assertions (e.g. that a restart resumed from a resourceVersion). */
export interface KubeApiRequest {
  path: string;
  query: Record<string, string>;
  status: number;
}

export class FakeKubeApi {
  /** The bearer token allowed to get, list and watch events. */
  readonly token = randomBytes(24).toString('base64url');
  /** A valid token whose service account has no permission on events (answers 403). */
  readonly forbiddenToken = randomBytes(24).toString('base64url');
  readonly requests: KubeApiRequest[] = [];
  private readonly objects = new Map<string, Stored>();
  /** Every change in resourceVersion order, for watches that resume from a resourceVersion. */
  private history: { rv: number; type: WatchEvent['type']; stored: Stored }[] = [];
  private rv = 1000;
  /** resourceVersions below this are compacted: a watch or continue from them gets 410 Gone. */
  private compactedBelow = 0;
  private readonly watches = new Set<OpenWatch>();
  private readonly sockets = new Set<Socket>();
  private bookmarkTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    readonly caPem: string,
    private readonly options: Required<FakeKubeApiOptions>,
  ) {}

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const { certPem, keyPem } = await selfSignedCertificate('fake-kube-apiserver');
    const server = createServer({ cert: certPem, key: keyPem });
    const api = new FakeKubeApi(server, certPem, {
      watchTimeoutMs: options.watchTimeoutMs ?? 30 * 60_000,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      eventsV1: options.eventsV1 ?? true,
      expiredWatch: options.expiredWatch ?? 'event',
      initialResourceVersion: options.initialResourceVersion ?? 1000,
    });
    api.rv = api.options.initialResourceVersion;
    server.on('request', (req, res) => api.handle(req, res));
    server.on('secureConnection', (socket: Socket) => {
      api.sockets.add(socket);
      socket.on('close', () => api.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    if (api.options.bookmarkIntervalMs > 0) {
      api.bookmarkTimer = setInterval(() => api.bookmark(), api.options.bookmarkIntervalMs);
      api.bookmarkTimer.unref();
    }
    return api;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The current resourceVersion (of the whole store, as etcd's revision). */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Watches open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Writes a kubeconfig that reaches this server over TLS with `token` (the permitted one by default). */
  writeKubeconfig(path: string, token = this.token): string {
    writeFileSync(path, kubeconfig(this.url, this.caPem, token), { mode: 0o600 });
    return path;
  }

  // ---- Driving it --------------------------------------------------------

  /** Creates an event (ADDED); returns it as stored. */
  createEvent(spec: EventSpec): EventsV1Event {
    const event = newEvent(spec, ++this.rv);
    const stored: Stored = {
      key: `${event.metadata.namespace}/${event.metadata.name}`,
      namespace: event.metadata.namespace,
      object: event,
    };
    this.record('ADDED', stored);
    return event;
  }

  /** The event seen again (series count + 1, as the kubelet's event recorder does): MODIFIED. */
  repeatEvent(event: EventsV1Event, note?: string): EventsV1Event {
    const stored = this.objects.get(`${event.metadata.namespace}/${event.metadata.name}`);
    if (!stored) throw new Error(`no event ${event.metadata.namespace}/${event.metadata.name}`);
    const current = stored.object as EventsV1Event;
    const next: EventsV1Event = {
      ...current,
      metadata: { ...current.metadata, resourceVersion: String(++this.rv) },
      series: { count: (current.series?.count ?? 1) + 1, lastObservedTime: microTime(new Date()) },
      note: note ?? current.note,
    };
    this.record('MODIFIED', { ...stored, object: next });
    return next;
  }

  /** Deletes an event (as its TTL does): DELETED. */
  deleteEvent(event: EventsV1Event): void {
    const stored = this.objects.get(`${event.metadata.namespace}/${event.metadata.name}`);
    if (!stored) return;
    const object = { ...(stored.object as EventsV1Event) };
    object.metadata = { ...object.metadata, resourceVersion: String(++this.rv) };
    this.record('DELETED', { ...stored, object });
  }

  /**
   * Stores `object` as it is, unvalidated (a real server validates; this is
   * how a test sends malformed events). Its metadata.resourceVersion is set
   * when it has a metadata object.
   */
  createRawEvent(object: Record<string, unknown>, type: WatchEvent['type'] = 'ADDED'): void {
    const rv = ++this.rv;
    const metadata = object.metadata;
    if (metadata && typeof metadata === 'object') (metadata as Record<string, unknown>).resourceVersion = String(rv);
    const namespace =
      metadata && typeof (metadata as { namespace?: unknown }).namespace === 'string'
        ? (metadata as { namespace: string }).namespace
        : undefined;
    this.record(type, { key: `~raw/${randomUUID()}`, namespace, object });
  }

  /** Writes `text` as it is into every open watch (garbage, a truncated object, …). */
  sendRaw(text: string): void {
    for (const watch of this.watches) watch.res.write(text);
  }

  /** Advances the resourceVersion without an event (other resources changing in the cluster). */
  bumpResourceVersion(by = 1): void {
    this.rv += by;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every open watch that allows them. */
  bookmark(): void {
    const object = (core: boolean) => ({
      kind: 'Event',
      apiVersion: core ? 'v1' : 'events.k8s.io/v1',
      metadata: { resourceVersion: String(this.rv) },
    });
    for (const watch of this.watches)
      if (watch.bookmarks) this.send(watch, { type: 'BOOKMARK', object: object(watch.core) });
  }

  /** Compacts history: every resourceVersion before the current one is gone (410 for watches and continues from it). */
  expire(): void {
    this.compactedBelow = this.rv;
    this.history = [];
  }

  /** Cuts every open watch abruptly (the connection is destroyed, no clean end). */
  cutWatches(): void {
    for (const watch of [...this.watches]) {
      this.closeWatch(watch);
      watch.res.socket?.destroy();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    for (const watch of [...this.watches]) this.closeWatch(watch);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- Serving -------------------------------------------------------------

  private record(type: WatchEvent['type'], stored: Stored): void {
    if (type === 'DELETED') this.objects.delete(stored.key);
    else this.objects.set(stored.key, stored);
    this.history.push({ rv: this.rv, type, stored });
    for (const watch of this.watches) {
      if (watch.namespace === undefined || watch.namespace === stored.namespace)
        this.send(watch, { type, object: render(stored, watch.core, true) });
    }
  }

  private send(watch: OpenWatch, event: WatchEvent): void {
    watch.res.write(`${JSON.stringify(event)}\n`);
  }

  private reply(req: IncomingMessage, res: ServerResponse, code: number, body: unknown, query: Record<string, string>) {
    this.requests.push({ path: (req.url ?? '').split('?')[0], query, status: code });
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://fake');
    const query = Object.fromEntries(url.searchParams);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token !== this.token && token !== this.forbiddenToken)
      return this.reply(req, res, 401, status(401, 'Unauthorized', 'Unauthorized'), query);
    if (req.method !== 'GET')
      return this.reply(req, res, 405, status(405, 'MethodNotAllowed', 'the server does not allow this method'), query);
    if (url.pathname === '/apis/events.k8s.io/v1' && this.options.eventsV1)
      return this.reply(req, res, 200, resourceList('events.k8s.io/v1'), query);
    if (url.pathname === '/api/v1') return this.reply(req, res, 200, resourceList('v1'), query);
    const v1 = this.options.eventsV1 ? EVENTS_V1.exec(url.pathname) : null;
    const core = CORE_V1.exec(url.pathname);
    const match = v1 ?? core;
    if (!match)
      return this.reply(
        req,
        res,
        404,
        status(404, 'NotFound', 'the server could not find the requested resource'),
        query,
      );
    const namespace = match[1] ? decodeURIComponent(match[1]) : undefined;
    const watching = query.watch === 'true' || query.watch === '1';
    if (token === this.forbiddenToken)
      return this.reply(
        req,
        res,
        403,
        forbidden(watching ? 'watch' : 'list', v1 ? 'events.k8s.io' : '', namespace),
        query,
      );
    if (watching) return this.watch(req, res, query, namespace, !v1);
    return this.list(req, res, query, namespace, !v1);
  }

  private list(
    req: IncomingMessage,
    res: ServerResponse,
    query: Record<string, string>,
    namespace: string | undefined,
    core: boolean,
  ) {
    let start = '';
    /** The resourceVersion a list answers: the first page's for all its pages, as the real server's snapshot. */
    let listRv = this.rv;
    if (query.continue) {
      const token = decodeContinue(query.continue);
      if (token === undefined)
        return this.reply(req, res, 400, status(400, 'BadRequest', 'continue key is not valid'), query);
      if (token.rv < this.compactedBelow)
        return this.reply(
          req,
          res,
          410,
          status(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          ),
          query,
        );
      start = token.start;
      listRv = token.rv;
    }
    const limit = query.limit ? Number(query.limit) : 0;
    const all = [...this.objects.values()]
      .filter((s) => namespace === undefined || s.namespace === namespace)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .filter((s) => s.key > start);
    const page = limit > 0 ? all.slice(0, limit) : all;
    const more = limit > 0 && all.length > limit;
    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    if (more) {
      metadata.continue = encodeContinue({ rv: listRv, start: page[page.length - 1].key });
      metadata.remainingItemCount = all.length - limit;
    }
    const body = {
      kind: 'EventList',
      apiVersion: core ? 'v1' : 'events.k8s.io/v1',
      metadata,
      items: page.map((s) => render(s, core, false)),
    };
    this.reply(req, res, 200, body, query);
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    query: Record<string, string>,
    namespace: string | undefined,
    core: boolean,
  ) {
    const from = query.resourceVersion ?? '';
    const fromRv = from === '' || from === '0' ? undefined : Number(from);
    if (fromRv !== undefined && !Number.isSafeInteger(fromRv))
      return this.reply(req, res, 400, status(400, 'BadRequest', `invalid resource version: ${from}`), query);
    const expired = fromRv !== undefined && fromRv < this.compactedBelow;
    const gone = status(410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`);
    if (expired && this.options.expiredWatch === 'status') return this.reply(req, res, 410, gone, query);
    this.requests.push({ path: (req.url ?? '').split('?')[0], query, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (expired) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
      return;
    }
    const requested = query.timeoutSeconds ? Number(query.timeoutSeconds) * 1000 : Infinity;
    const timeoutMs = Math.min(requested, this.options.watchTimeoutMs);
    const watch: OpenWatch = {
      res,
      namespace,
      core,
      bookmarks: query.allowWatchBookmarks === 'true',
      timer: setTimeout(() => this.closeWatch(watch), timeoutMs),
    };
    // From a resourceVersion: every change after it; without one, the current objects as ADDED.
    const replay =
      fromRv === undefined
        ? [...this.objects.values()].map((stored) => ({ type: 'ADDED' as const, stored }))
        : this.history.filter((h) => h.rv > fromRv);
    for (const { type, stored } of replay)
      if (namespace === undefined || stored.namespace === namespace)
        this.send(watch, { type, object: render(stored, core, true) });
    this.watches.add(watch);
    res.on('close', () => this.closeWatch(watch));
  }

  /** Ends a watch cleanly, as the server does at its timeout. */
  private closeWatch(watch: OpenWatch): void {
    if (!this.watches.delete(watch)) return;
    clearTimeout(watch.timer);
    if (!watch.res.writableEnded) watch.res.end();
  }
}

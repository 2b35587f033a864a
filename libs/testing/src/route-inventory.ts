import { request as httpRequest } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';

/**
 * What a service really answers on, read from the servers themselves (not
 * from our decorators): every route and middleware in Express' router, and
 * every method registered on the grpc-js server — including anything added
 * around Nest, which no guard would see. Each route and method is then
 * called with no credential, and the answer tells whether it is guarded.
 */
export interface Inventory {
  /** "GET /api/v1/tokens", "/capability.Backend/Info" (gRPC), "middleware serveStatic" → what it answered anonymously. */
  entries: InventoryEntry[];
}

export interface InventoryEntry {
  kind: 'http' | 'grpc' | 'middleware';
  /** "GET /api/v1/tokens" as registered, "/capability.Backend/Info", or "middleware <function name>". */
  name: string;
  /** The concrete request sent (params filled in), for HTTP. */
  probe?: string;
  /** Whether an anonymous call was refused by the admin-token guard. Middleware: undefined (not callable on its own). */
  guarded?: boolean;
  /** What the anonymous call answered: "401", "UNAUTHENTICATED: …", "OK". */
  answer: string;
}

/** The admin-token guard's answer to a call without a token (AdminTokenGuard). */
const GUARD_REFUSAL = 'the admin API needs an admin token: Authorization: Bearer <token>';

interface ExpressLayer {
  name: string;
  route?: { path: string; methods: Record<string, boolean> };
}

/** Express' router stack (Express 5: app.router). */
function routerLayers(app: INestApplication): ExpressLayer[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack?: ExpressLayer[] } };
  const stack = instance.router?.stack;
  if (!Array.isArray(stack)) throw new Error('cannot read the Express router stack: update routeInventory');
  return stack;
}

/** grpc-js' registered handlers (Server#handlers, private: read for the inventory only). */
function grpcMethods(server: grpc.Server): { path: string; type: string }[] {
  const handlers = (server as unknown as { handlers?: Map<string, { type: string }> }).handlers;
  if (!(handlers instanceof Map)) throw new Error('cannot read grpc-js Server#handlers: update routeInventory');
  return [...handlers].map(([path, handler]) => ({ path, type: handler.type }));
}

/** A concrete path for an Express 5 route pattern: params become "x", optional groups are left out. */
export function concretePath(pattern: string): string {
  return pattern.replace(/\{[^}]*\}/g, '').replace(/[:*][A-Za-z0-9_]+/g, 'x') || '/';
}

/** One raw HTTP request, the path sent exactly as given (no client-side normalisation of "./", "//" or case). */
export function rawHttp(
  address: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, method, path, headers, timeout: 10_000 }, (res) => {
      let answer = '';
      res.setEncoding('utf8');
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        // An open stream: its status is the answer; it would never end by itself.
        resolve({ status: res.statusCode ?? 0, body: '' });
        res.destroy();
        return;
      }
      res.on('data', (chunk: string) => {
        answer += chunk;
        if (answer.length > 4096) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body: answer }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Calls one gRPC method with an empty message and no credential; resolves with its status (or OK on the first message). */
function anonymousCall(
  client: grpc.Client,
  path: string,
  type: string,
): Promise<{ code: grpc.status; details: string }> {
  const identity = (value: Buffer) => value;
  const deadline = Date.now() + 5_000;
  return new Promise((resolve) => {
    if (type === 'unary') {
      client.makeUnaryRequest(path, identity, identity, Buffer.alloc(0), new grpc.Metadata(), { deadline }, (error) =>
        resolve(error ? { code: error.code, details: error.details } : { code: grpc.status.OK, details: '' }),
      );
      return;
    }
    const call =
      type === 'serverStream'
        ? client.makeServerStreamRequest(path, identity, identity, Buffer.alloc(0), new grpc.Metadata(), { deadline })
        : type === 'bidi'
          ? client.makeBidiStreamRequest(path, identity, identity, new grpc.Metadata(), { deadline })
          : client.makeClientStreamRequest(
              path,
              identity,
              identity,
              new grpc.Metadata(),
              { deadline },
              () => undefined,
            );
    let settled = false;
    const settle = (status: { code: grpc.status; details: string }) => {
      if (settled) return;
      settled = true;
      resolve(status);
      call.cancel();
    };
    call.on('data', () => settle({ code: grpc.status.OK, details: 'streams' }));
    call.on('status', (status: grpc.StatusObject) => settle({ code: status.code, details: status.details }));
    call.on('error', () => undefined); // read through 'status'
    if ('end' in call && type !== 'serverStream') (call as grpc.ClientWritableStream<Buffer>).end();
  });
}

/**
 * Reads a running service's routes, middleware and gRPC methods, and calls
 * each route and method with no credential to see which the guard refuses.
 */
export async function routeInventory(
  running: { app: INestApplication; httpAddress: string; grpcAddress: string; grpcServer: grpc.Server },
  grpcCredentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): Promise<Inventory> {
  const entries: InventoryEntry[] = [];
  for (const layer of routerLayers(running.app)) {
    if (!layer.route) {
      entries.push({ kind: 'middleware', name: `middleware ${layer.name}`, answer: '' });
      continue;
    }
    const methods = Object.keys(layer.route.methods).map((m) => (m === '_all' ? 'GET' : m.toUpperCase()));
    for (const method of methods) {
      const probe = concretePath(layer.route.path);
      const { status, body } = await rawHttp(running.httpAddress, method, probe);
      const guarded = status === 401 && body.includes(GUARD_REFUSAL);
      entries.push({ kind: 'http', name: `${method} ${layer.route.path}`, probe, guarded, answer: String(status) });
    }
  }
  const client = new grpc.Client(running.grpcAddress, grpcCredentials);
  try {
    for (const { path, type } of grpcMethods(running.grpcServer)) {
      const { code, details } = await anonymousCall(client, path, type);
      const guarded = code === grpc.status.UNAUTHENTICATED && details === GUARD_REFUSAL;
      entries.push({ kind: 'grpc', name: path, guarded, answer: `${grpc.status[code]}: ${details}` });
    }
  } finally {
    client.close();
  }
  return { entries };
}

/**
 * What every service on @app/runtime serves without a credential, by design:
 * probes, metrics, the body parsers, the request log and Nest's own unnamed
 * middleware (the response hook, the 404 and the error handlers).
 */
export const RUNTIME_PUBLIC: readonly string[] = [
  'GET /healthz', // liveness probes
  'GET /metrics', // Prometheus
  'middleware jsonParser',
  'middleware urlencodedParser',
  'middleware logRequest',
  'middleware <anonymous>',
  'middleware <anonymous>',
  'middleware <anonymous>',
  '/grpc.health.v1.Health/Check', // gRPC probes
  '/grpc.health.v1.Health/Watch',
  '/grpc.health.v1.Health/List',
];

/**
 * What is wrong with an inventory against the explicit public list: every
 * route or method that answered without the admin token and is not listed,
 * middleware not listed, and listed names that no longer exist. Empty: every
 * route is guarded or deliberately public.
 */
export function inventoryProblems(inventory: Inventory, publicNames: readonly string[]): string[] {
  // Counted, not a set: the list names an anonymous middleware as often as it is expected.
  const allowed = new Map<string, number>();
  for (const name of publicNames) allowed.set(name, (allowed.get(name) ?? 0) + 1);
  const problems: string[] = [];
  for (const entry of inventory.entries) {
    const left = allowed.get(entry.name) ?? 0;
    if (left > 0) {
      allowed.set(entry.name, left - 1);
      continue;
    }
    if (entry.kind === 'middleware') problems.push(`${entry.name}: middleware runs before any guard and is not listed`);
    else if (!entry.guarded) {
      problems.push(`${entry.name}: answered ${entry.answer} without the admin token and is not on the public list`);
    }
  }
  const present = new Set(inventory.entries.map((entry) => entry.name));
  for (const name of new Set(publicNames)) {
    if (!present.has(name)) problems.push(`${name}: on the public list but not served`);
  }
  return problems;
}

/** Other spellings of a path that a lenient router would take for it: case, dot segments, encoded slashes, extra slashes. */
export function otherSpellings(path: string): string[] {
  return [
    path.toUpperCase(),
    path.replace('/api/', '/API/'),
    path.replace('/api/', '/Api/'),
    `/${path}`,
    path.replace('/api/', '/api/./'),
    path.replace('/api/v1/', '/api/v1/../v1/'),
    path.replace('/api/', '/%2Fapi/'),
    `/%2F${path.slice(1)}`,
    path.replace('/api/', '/%61pi/'),
    `${path}/`,
    `${path}//`,
  ].filter((spelling) => spelling !== path);
}

/**
 * Calls every other spelling of every guarded HTTP route of `inventory`
 * without a credential; returns those answered with anything but 404 (no
 * such route) or 401 (a guard): an answer means a handler ran unguarded.
 */
export async function unguardedSpellings(httpAddress: string, inventory: Inventory): Promise<string[]> {
  const answered: string[] = [];
  for (const entry of inventory.entries) {
    if (entry.kind !== 'http' || !entry.guarded) continue;
    const method = entry.name.slice(0, entry.name.indexOf(' '));
    for (const spelling of otherSpellings(entry.probe!)) {
      const { status } = await rawHttp(httpAddress, method, spelling);
      if (status !== 404 && status !== 401) answered.push(`${method} ${spelling} → ${status}`);
    }
  }
  return answered;
}

import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** host:port to dial instead of the target. */
  readonly address: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /**
   * Cuts every open connection at once (both directions, no FIN: a reset);
   * with `afterBytes`, only those that have carried at least that many bytes
   * back from the target, so each connection gets some work done however
   * slow the machine is. Returns how many it cut.
   */
  cutAll(options?: { afterBytes?: number }): number;
  /** While blocked, open connections are cut and new ones reset at once: the target is unreachable. */
  setBlocked(blocked: boolean): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 (port 0) to `target`, for tests that cut links:
 * every accepted connection is piped to a fresh connection to the target,
 * and cutAll() destroys them all, as a flapping network would. With
 * `sourceAddress` (another loopback address, e.g. 127.0.0.2) the target sees
 * its connections come from there: a second client host, for per-address limits.
 */
export async function startTcpProxy(
  target: string,
  { sourceAddress }: { sourceAddress?: string } = {},
): Promise<TcpProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const open = new Set<Socket>();
  /** Each accepted client socket: its connection to the target, and the bytes that came back from it. */
  const pairs = new Map<Socket, { upstream: Socket; received: number }>();
  let accepted = 0;
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    accepted++;
    // No Nagle delays, as real proxies do: small TLS records must not wait for the peer's delayed ACK.
    client.setNoDelay(true);
    const upstream = connect({ host, port, noDelay: true, localAddress: sourceAddress });
    const pair = { upstream, received: 0 };
    pairs.set(client, pair);
    upstream.on('data', (chunk: Buffer) => (pair.received += chunk.length));
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined); // a cut or a refused upstream: the other side is destroyed below
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => {
      pairs.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${proxyPort}`,
    get accepted() {
      return accepted;
    },
    cutAll({ afterBytes = 0 }: { afterBytes?: number } = {}) {
      let cut = 0;
      for (const [client, { upstream, received }] of [...pairs]) {
        if (received < afterBytes) continue;
        client.resetAndDestroy();
        upstream.resetAndDestroy();
        cut++;
      }
      return cut;
    },
    setBlocked(value: boolean) {
      blocked = value;
      if (blocked) for (const socket of open) socket.resetAndDestroy();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a server that must be started later on a known port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

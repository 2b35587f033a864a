import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One address in front of several servers, as a Kubernetes Service is in front of a Deployment's pods. */
export interface TcpBalancer {
  /** host:port to dial. */
  readonly address: string;
  /** Connections piped to each target so far, by target. */
  readonly connections: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A TCP balancer on 127.0.0.1 (port 0): each connection goes to the target
 * with the fewest open connections (the next in turn among equals), and to
 * another when a target refuses it, so long-lived clients spread over the
 * targets and a dead server's clients land on the live ones when they
 * reconnect, as behind a Service whose endpoints follow readiness.
 */
export async function startTcpBalancer(targets: string[]): Promise<TcpBalancer> {
  const open = new Set<Socket>();
  const connections = new Map(targets.map((target) => [target, 0]));
  const openTo = new Map(targets.map((target) => [target, 0]));
  let next = 0;
  const choose = (tried: Set<string>): string | undefined => {
    const order = targets.map((_, i) => targets[(next + i) % targets.length]).filter((t) => !tried.has(t));
    next++;
    return order.sort((a, b) => openTo.get(a)! - openTo.get(b)!)[0];
  };
  const pipeTo = (client: Socket, tried: Set<string>) => {
    const target = choose(tried);
    if (target === undefined || client.destroyed) return void client.destroy();
    const upstream = connect({
      host: target.slice(0, target.lastIndexOf(':')),
      port: Number(target.slice(target.lastIndexOf(':') + 1)),
      noDelay: true,
    });
    let connected = false;
    upstream.once('error', () => {
      if (!connected) pipeTo(client, tried.add(target)); // refused: another target
    });
    upstream.once('connect', () => {
      connected = true;
      connections.set(target, connections.get(target)! + 1);
      openTo.set(target, openTo.get(target)! + 1);
      open.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => {
        openTo.set(target, openTo.get(target)! - 1);
        open.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  };
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    client.on('error', () => undefined);
    open.add(client);
    client.on('close', () => open.delete(client));
    pipeTo(client, new Set());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

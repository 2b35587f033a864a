import { connect, type ClientHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { service as healthService } from 'grpc-health-check';
import { capability, createUnaryClient, packageDefinitionFor, type UnaryClient } from '@app/proto';
import { FLOW_CONTROL_WINDOW, GrpcServer } from './grpc-server.js';

const LAST_SYNC = new Date('2026-11-28T12:34:56.789Z');
/** Not representable as a JS number: Number(LAST_REVISION) rounds to 2 ** 53. */
const LAST_REVISION = 2n ** 53n + 1n;
const OPTIONS = { deleteData: true, reason: 'test', nested: { list: [1, 'two', null] } };

/**
 * A stub capability.Backend. With a ts-proto packageDefinition Nest matches
 * handlers by the definition's keys, which are camelCase ('status'); the
 * definitions carry no PascalCase originalName, so @GrpcMethod('Backend',
 * 'Status') is never routed (the pitfall test below pins that down).
 */
@Controller()
class BackendStub {
  readonly statusRequests: capability.StatusRequest[] = [];
  readonly uninstallRequests: capability.UninstallRequest[] = [];

  @GrpcMethod('Backend', 'status')
  status(request: capability.StatusRequest): capability.NodeCapabilityStatus {
    this.statusRequests.push(request);
    return {
      enabled: true,
      lastSync: LAST_SYNC,
      conditions: ['ready', 'synced'],
      lastRevision: { revision: LAST_REVISION },
    };
  }

  @GrpcMethod('Backend', 'uninstall')
  uninstall(request: capability.UninstallRequest): Record<string, never> {
    this.uninstallRequests.push(request);
    return {};
  }

  /** PascalCase, as in the .proto: not routed with a ts-proto packageDefinition. */
  @GrpcMethod('Backend', 'Info')
  info(): capability.Details {
    return { name: 'never-routed', source: '', drivers: [] };
  }
}

interface HealthClient {
  Check(
    request: { service: string },
    callback: (error: grpc.ServiceError | null, response: { status: string }) => void,
  ): void;
}

describe('GrpcServer', () => {
  let app: INestMicroservice;
  let server: GrpcServer;
  let stub: BackendStub;
  let client: UnaryClient<'capability.Backend'>;
  let health: grpc.Client;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [BackendStub] }).compile();
    server = new GrpcServer({
      url: '127.0.0.1:0',
      package: 'capability',
      packageDefinition: packageDefinitionFor('capability.Backend'),
      shutdownGraceMs: 500,
    });
    app = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await app.listen();
    stub = app.get(BackendStub);

    const address = `127.0.0.1:${server.boundPort}`;
    client = createUnaryClient('capability.Backend', address);
    const HealthClient = grpc.makeGenericClientConstructor(
      healthService as unknown as grpc.ServiceDefinition,
      'grpc.health.v1.Health',
    );
    health = new HealthClient(address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    health?.close();
    await app?.close();
  });

  /** grpc.health.v1.Health/Check; proto-loader keys the method 'Check'. */
  function check(service: string): Promise<{ status: string }> {
    const healthClient = health as unknown as HealthClient;
    return new Promise((resolve, reject) =>
      healthClient.Check({ service }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  it('advertises a 1 MiB HTTP/2 receive window per stream and opens the connection window as wide', async () => {
    const session: ClientHttp2Session = connect(`http://127.0.0.1:${server.boundPort}`);
    try {
      const settings = await new Promise<{ initialWindowSize?: number }>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(FLOW_CONTROL_WINDOW).toBe(1 << 20);
      expect(settings.initialWindowSize).toBe(FLOW_CONTROL_WINDOW);
      // The connection window arrives as a WINDOW_UPDATE right after SETTINGS: ping once so it has been read.
      await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())));
      expect(session.state.remoteWindowSize).toBe(FLOW_CONTROL_WINDOW);
    } finally {
      session.destroy();
    }
  });

  it('keeps no channelz records: nothing serves them', async () => {
    const servers = await new Promise<unknown[]>((resolve, reject) =>
      grpc
        .getChannelzHandlers()
        .GetServers(
          { request: { start_server_id: 0, max_results: 100 } } as never,
          ((error: Error | null, response?: { server: unknown[] }) =>
            error ? reject(error) : resolve(response!.server)) as never,
        ),
    );
    expect(servers).toEqual([]);
  });

  it('binds a real port when asked for port 0', () => {
    expect(server.boundPort).toBeGreaterThan(0);
    expect(server.boundPort).toBeLessThanOrEqual(65535);
  });

  it('round-trips Status: Timestamp to Date to the millisecond, int64 beyond 2^53 as bigint', async () => {
    const response = await client.status({ cluster: { id: 'cluster-1' } });

    expect(stub.statusRequests.at(-1)).toEqual({ cluster: { id: 'cluster-1' } });
    expect(response.enabled).toBe(true);
    expect(response.conditions).toEqual(['ready', 'synced']);
    expect(response.lastSync).toBeInstanceOf(Date);
    expect(response.lastSync?.getTime()).toBe(LAST_SYNC.getTime());
    expect(response.lastSync?.toISOString()).toBe('2026-11-28T12:34:56.789Z');
    expect(typeof response.lastRevision?.revision).toBe('bigint');
    expect(response.lastRevision?.revision).toBe(9007199254740993n);
    expect(response.lastRevision?.revision === LAST_REVISION).toBe(true);
  });

  it('round-trips Uninstall: returns Empty, the request reaches the handler', async () => {
    const response = await client.uninstall({ cluster: { id: 'cluster-2' }, options: OPTIONS });

    expect(response).toEqual({});
    const received = stub.uninstallRequests.at(-1);
    expect(received?.cluster).toEqual({ id: 'cluster-2' });
    expect(received?.options).toBeDefined();
  });

  // ts-proto's own Value.wrap/unwrap ignore oneof=unions-value; scripts/proto-gen.mjs
  // replaces them. This pins the fix down end to end.
  it('round-trips Uninstall: the Struct arrives on the server as the same plain object', async () => {
    await client.uninstall({ cluster: { id: 'cluster-3' }, options: OPTIONS });

    const received = stub.uninstallRequests.at(-1);
    expect(received?.cluster).toEqual({ id: 'cluster-3' });
    expect(received?.options).toStrictEqual(OPTIONS);
  });

  it('does not route PascalCase @GrpcMethod names with a ts-proto packageDefinition', async () => {
    await expect(client.info({})).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });

  it('serves grpc.health.v1: SERVING for the whole server and for each service', async () => {
    await expect(check('')).resolves.toEqual({ status: 'SERVING' });
    await expect(check('capability.Backend')).resolves.toEqual({ status: 'SERVING' });
    await expect(check('capability.Node')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});

import { Controller, Get, Module, Post, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import type { ServiceName } from '@app/proto';
import { Public } from '@app/runtime';
import {
  inventoryProblems,
  gatewayTls,
  routeInventory,
  RUNTIME_PUBLIC,
  unguardedSpellings,
  type Inventory,
  type InventoryEntry,
} from '@app/testing';
import { GATEWAY_GRPC_SERVICES } from '../src/app.module.js';
import { startInProcessGateway } from './in-process-gateway.js';

// Deny by default, proved on what the servers really register: every HTTP
// route, middleware and gRPC method of a real gateway (real ports, real
// SQLite) is called without a credential, and anything that answers is on
// the explicit public list below, or the test fails naming it.

/** Everything the gateway serves without the admin token, and why. */
const GATEWAY_PUBLIC = [
  ...RUNTIME_PUBLIC,
  'GET /', // a redirect to /admin/
  'GET /admin/{*any}', // the admin page's index.html for its own paths (the page asks for the token itself)
  'middleware serveStatic', // the admin page's files under /admin/
  'middleware <anonymous>', // serve-static's missing-file handler
  '/bootstrap.v1.BootstrapService/Join', // authenticated by the bootstrap token
  '/session.v1.AgentSessionService/Connect', // authenticated by the cluster key
];

const ADMIN_TOKEN = 'route-inventory-admin-token';

async function startGateway(extraModules: DynamicModule[] = [], extraServices: ServiceName[] = []) {
  const gateway = await startInProcessGateway({
    name: 'gateway-inventory',
    adminToken: ADMIN_TOKEN,
    services: [...GATEWAY_GRPC_SERVICES, ...extraServices],
    extraModules,
  });
  const { running } = gateway;
  return {
    running,
    inventory: () => routeInventory({ ...running, grpcServer: running.grpc.rawServer! }, gatewayTls(gateway.secrets)),
    stop: () => gateway.stop(),
  };
}

const names = (entries: InventoryEntry[]) => entries.map((entry) => entry.name);

describe('route inventory: the gateway denies by default', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let inventory: Inventory;

  beforeAll(async () => {
    gateway = await startGateway();
    inventory = await gateway.inventory();
  });
  afterAll(() => gateway?.stop());

  it('serves nothing without the admin token but the public list', () => {
    expect(inventoryProblems(inventory, GATEWAY_PUBLIC)).toEqual([]);
  });

  it('found the admin API and services, and every one of them refused an anonymous call', () => {
    const guarded = inventory.entries.filter((entry) => entry.guarded);
    // A sample that must be there: were the inventory blind, the test above would pass vacuously.
    expect(names(guarded)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/tokens',
        'POST /api/v1/tokens',
        'DELETE /api/v1/tokens/:id',
        'GET /api/v1/notifications',
        'GET /api/v1/notifications/stream',
        'GET /api/v1/notifications/counts',
        'GET /api/v1/notifications/:id',
        'DELETE /api/v1/clusters/:cluster',
        'POST /api/v1/clusters/:cluster/capabilities/alerting/uninstall',
        'GET /api/v1/receivers',
        '/capability.Backend/Install',
        '/capability.Backend/Uninstall',
        '/alerting.NotificationQueryService/List',
        '/alerting.NotificationQueryService/Watch',
      ]),
    );
    expect(guarded.length).toBeGreaterThanOrEqual(25);
  });

  it('answers other spellings of every protected route with 404, never with the route', async () => {
    expect(await unguardedSpellings(gateway.running.httpAddress, inventory)).toEqual([]);
    expect(inventory.entries.filter((entry) => entry.kind === 'http' && entry.guarded).length).toBeGreaterThanOrEqual(
      15,
    );
  });
});

// The inventory is only worth something if it catches what it is for: here a
// test-only controller marked public, a route added to Express around Nest,
// and a gRPC service marked public, none on the list. Unmarked, a new
// controller is guarded by default.
@Controller('api/v1/test-only')
class UnmarkedController {
  @Get('unmarked')
  unmarked() {
    return { secret: 'guarded by default' };
  }
}

@Controller('api/v1/test-only')
@Public('test only: proves the inventory catches an unlisted public route')
class OpenController {
  @Post('open')
  open() {
    return { secret: 'open' };
  }
}

@Controller()
@Public('test only: proves the inventory catches an unlisted public gRPC method')
class OpenGrpcController {
  @GrpcMethod('Health', 'getHealth')
  getHealth() {
    return { ready: true, conditions: [], annotations: {} };
  }
}

@Module({ controllers: [UnmarkedController, OpenController, OpenGrpcController] })
class TestOnlyModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Around Nest: no guard, no filter, nothing but Express (before Nest's 404 handler, as a module could). */
  onModuleInit(): void {
    this.adapterHost.httpAdapter.get('/api/v1/test-only/raw', (_req: unknown, res: { json(body: unknown): void }) =>
      res.json({ secret: 'raw' }),
    );
    this.adapterHost.httpAdapter.use((_req: unknown, _res: unknown, next: () => void) => next());
  }
}

describe('route inventory: catches what is not guarded', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    gateway = await startGateway([{ module: TestOnlyModule }], ['control.Health']);
  });
  afterAll(() => gateway?.stop());

  it('names the unlisted public route, the raw Express route and middleware, and the public gRPC method; the unmarked one is guarded', async () => {
    const inventory = await gateway.inventory();
    expect(inventoryProblems(inventory, GATEWAY_PUBLIC)).toEqual([
      'POST /api/v1/test-only/open: answered 201 without the admin token and is not on the public list',
      'GET /api/v1/test-only/raw: answered 200 without the admin token and is not on the public list',
      'middleware <anonymous>: middleware runs before any guard and is not listed',
      '/control.Health/GetHealth: answered OK:  without the admin token and is not on the public list',
    ]);
    expect(inventory.entries.find((entry) => entry.name === 'GET /api/v1/test-only/unmarked')).toMatchObject({
      guarded: true,
      answer: '401',
    });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDefinitionFor } from '@app/proto';
import { loadSettings, startService } from '@app/runtime';
import {
  inventoryProblems,
  routeInventory,
  RUNTIME_PUBLIC,
  UNREACHABLE_GATEWAY,
  unguardedSpellings,
  type Inventory,
} from '@app/testing';
import { AGENT_GRPC_SERVICES, AppModule } from '../src/app.module.js';
import { AgentSettings } from '../src/config/agent-settings.js';

// The agent denies by default too, proved on what its servers really
// register (see apps/gateway/test/route-inventory.e2e-spec.ts, which also
// proves the inventory catches an unguarded route).

/** Everything the agent serves without its admin token, and why. */
const AGENT_PUBLIC = [
  ...RUNTIME_PUBLIC,
  '/alerting.NotificationService/Notify', // in-cluster apps; the NetworkPolicy decides who reaches the port
  '/control.Health/GetHealth', // a health probe: readiness and counts, no notification content
];

describe('route inventory: the agent denies by default', () => {
  let dataDir: string;
  let running: Awaited<ReturnType<typeof startService>>;
  let inventory: Inventory;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-inventory-'));
    const settings = loadSettings(AgentSettings, {
      argv: [],
      env: {
        AGENT_HOST: '127.0.0.1',
        AGENT_GRPC_PORT: '0',
        AGENT_HTTP_PORT: '0',
        AGENT_DATA_DIR: dataDir,
        AGENT_GATEWAY_ADDRESS: UNREACHABLE_GATEWAY,
        LOG_LEVEL: 'fatal',
      },
    });
    running = await startService({
      name: 'agent',
      settings,
      module: AppModule.forRoot(settings, 'route-inventory-agent-token'),
      grpc: { packageDefinition: packageDefinitionFor(...AGENT_GRPC_SERVICES) },
    });
    inventory = await routeInventory({ ...running, grpcServer: running.grpc.rawServer! });
  });
  afterAll(async () => {
    await running?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves nothing without its admin token but the public list', () => {
    expect(inventoryProblems(inventory, AGENT_PUBLIC)).toEqual([]);
  });

  it('guards the queue API and capability Node, under every spelling', async () => {
    expect(inventory.entries.filter((entry) => entry.guarded).map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['GET /api/v1/queue', 'GET /api/v1/queue/dead-letters', '/capability.Node/SyncNow']),
    );
    expect(await unguardedSpellings(running.httpAddress, inventory)).toEqual([]);
  });
});

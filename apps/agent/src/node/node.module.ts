import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { BackoffPolicy } from '@app/runtime';
import { AgentSettings } from '../config/agent-settings.js';
import { UplinkModule } from '../uplink/uplink.module.js';
import { HealthModule } from '../health/health.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { NodeConfigFile } from './node-config-file.js';
import { NODE_CONFIG_FILE, NodeSync, SYNC_RETRY_POLICY } from './node-sync.js';
import { NodeController } from './node.controller.js';

/** The alerting capability's node: its configuration synced from the gateway, capability.Node on the local port. */
@Module({
  imports: [QueueModule, UplinkModule, HealthModule],
  controllers: [NodeController],
  providers: [
    NodeSync,
    { provide: SYNC_RETRY_POLICY, useValue: { initialMs: 250, maxMs: 10_000 } satisfies BackoffPolicy },
    {
      provide: NODE_CONFIG_FILE,
      inject: [AgentSettings],
      useFactory: (settings: AgentSettings) => new NodeConfigFile(join(settings.dataDir, 'alerting-node.json')),
    },
  ],
})
export class NodeModule {}

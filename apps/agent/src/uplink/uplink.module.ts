import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { BackoffPolicy } from '@app/runtime';
import { AgentSettings } from '../config/agent-settings.js';
import { QueueModule } from '../queue/queue.module.js';
import { GatewayConnection, RECONNECT_POLICY } from './session/gateway-connection.js';
import { GatewayJoin, KEYRING } from './join/gateway-join.js';
import { Keyring } from './join/keyring.js';
import { PushGate } from './push/push-gate.js';
import { PUSH_RETRY_POLICY, PushLoop } from './push/push-loop.js';
import { PushMetrics } from './push/push-metrics.js';

/** The agent's link to the gateway: the one outbound session, and the push loop that drains the queue over it while the push gate is open. */
@Module({
  imports: [QueueModule],
  providers: [
    GatewayConnection,
    GatewayJoin,
    {
      provide: KEYRING,
      inject: [AgentSettings],
      useFactory: (settings: AgentSettings) => new Keyring(join(settings.dataDir, 'keyring.json')),
    },
    PushLoop,
    PushGate,
    PushMetrics,
    {
      provide: RECONNECT_POLICY,
      inject: [AgentSettings],
      useFactory: (settings: AgentSettings): BackoffPolicy => ({ initialMs: 250, maxMs: settings.reconnectMaxDelayMs }),
    },
    { provide: PUSH_RETRY_POLICY, useValue: { initialMs: 100, maxMs: 10_000 } satisfies BackoffPolicy },
  ],
  exports: [GatewayConnection, PushGate],
})
export class UplinkModule {}

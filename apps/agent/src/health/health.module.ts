import { Module } from '@nestjs/common';
import { ConditionTracker } from '@app/capability';
import { systemClock } from '@app/runtime';
import { UplinkModule } from '../uplink/uplink.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { KubeEventsModule } from '../sources/kube-events/kube-events.module.js';
import { AgentHealth } from './agent-health.js';
import { HealthReporter } from './health-reporter.js';
import { HealthController } from './health.controller.js';

/**
 * The agent's health: its conditions (a ConditionTracker other modules set,
 * e.g. the node sync), control.Health on the local port and over the
 * session, and health changes pushed to the gateway.
 */
@Module({
  imports: [QueueModule, UplinkModule, KubeEventsModule],
  controllers: [HealthController],
  providers: [
    AgentHealth,
    HealthReporter,
    { provide: ConditionTracker, useFactory: () => new ConditionTracker(systemClock) },
  ],
  exports: [ConditionTracker, AgentHealth],
})
export class HealthModule {}

import { Module } from '@nestjs/common';
import { QueueModule } from '../../queue/queue.module.js';
import { KubeEventsMetrics } from './kube-events-metrics.js';
import { KubeEventsSource } from './kube-events-source.js';

/** The Kubernetes event source (AGENT_KUBE_EVENTS): events become queued notifications. */
@Module({
  imports: [QueueModule],
  providers: [KubeEventsSource, KubeEventsMetrics],
  exports: [KubeEventsSource],
})
export class KubeEventsModule {}

import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@app/runtime';
import { ClusterRegistry } from './cluster-registry.js';

/**
 * The gateway's clusters: the ClusterRegistry every other module reads and
 * changes clusters through, over the CLUSTER_STORE port (./cluster-store.ts;
 * its adapter is bound by StorageModule).
 */
@Module({
  providers: [ClusterRegistry, { provide: CLOCK, useValue: systemClock }],
  exports: [ClusterRegistry],
})
export class ClustersModule {}

import { join } from 'node:path';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, systemClock } from '@app/runtime';
import { GatewaySettings } from '../config/gateway-settings.js';
import { ClusterRegistry } from './cluster-registry.js';
import { CLUSTER_STORE, type ClusterStore } from './cluster-store.js';
import { SqliteClusterStore } from './sqlite-cluster-store.js';

/**
 * The gateway's clusters: the CLUSTER_STORE port and its adapter (bound
 * here: SQLite, in the data directory's clusters.db), and the ClusterRegistry
 * every other module reads and changes clusters through.
 */
@Module({
  providers: [
    ClusterRegistry,
    {
      provide: CLUSTER_STORE,
      inject: [GatewaySettings],
      useFactory: (settings: GatewaySettings): ClusterStore =>
        new SqliteClusterStore(join(settings.dataDir, 'clusters.db')),
    },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [ClusterRegistry],
})
export class ClustersModule implements OnApplicationShutdown {
  constructor(@Inject(CLUSTER_STORE) private readonly store: ClusterStore) {}

  /** Last: after the servers stopped taking calls and every module's onModuleDestroy ran. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

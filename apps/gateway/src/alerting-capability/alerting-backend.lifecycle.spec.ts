// The alerting capability passes the kit's lifecycle suite, the same one the
// kit's test-only "example" capability passes (libs/capability/src/testing/):
// the real AlertingBackend and AlertingDriver over the gateway's real
// ClusterRegistry (SqliteClusterStore), SqliteNotificationStore, AlertingNodeSync
// and the suite's SqliteTaskStore, all in the suite's temporary directory.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describeCapabilityLifecycle } from '@app/capability-testing';
import { ALERTING_CAPABILITY } from '@app/notification-model';
import { captureNestLogs } from '@app/testing';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import { SqliteClusterStore } from '../clusters/sqlite-cluster-store.js';
import { SqliteNotificationStore } from '../notifications/store/sqlite-notification-store.js';
import { AgentSessions } from '../sessions/agent-sessions.js';
import { AlertingBackend } from './alerting-backend.js';
import { AlertingDriver } from './alerting-driver.js';
import { AlertingNodeSync } from './alerting-node-sync.js';

// The backend's and registry's Nest logs go here instead of the console.
captureNestLogs();

describeCapabilityLifecycle({
  name: ALERTING_CAPABILITY,
  async open({ dataDir, tasks, nodes, clock }) {
    const clusterStore = new SqliteClusterStore(join(dataDir, 'clusters.db'));
    const notifications = new SqliteNotificationStore(join(dataDir, 'notifications.db'));
    const registry = new ClusterRegistry(clusterStore, clock);
    // `nodes` is the suite's TestNodeReach: an implementation of the NodeReach port (what
    // AgentNodes is over real sessions), so the suite can take an agent offline. It is a
    // port the backend and driver are built over, not a mock of the code under test.
    const driver = new AlertingDriver(registry, nodes, notifications);
    // Where agents' Sync calls land; its sessions are only used to serve it (onModuleInit, not called here).
    const nodeSync = new AlertingNodeSync(new AgentSessions(new Registry(), registry), registry, clock);
    return {
      backend: new AlertingBackend(driver, registry, nodes, tasks, clock),
      clusters: registry,
      registerCluster: async (clusterId) => {
        await registry.join(clusterId, randomBytes(32), { env: 'lifecycle-test' });
      },
      // What an agent sends on its first Sync: no configuration yet, its conditions.
      reportSync: async (clusterId, conditions) => {
        await nodeSync.sync(clusterId, { current: undefined, conditions });
      },
      nodeEnabled: async (clusterId) => (await registry.nodeConfig(clusterId, ALERTING_CAPABILITY)).enabled,
      close: async () => {
        await notifications.close();
        await clusterStore.close();
      },
    };
  },
});

// The capability lifecycle suite (install, uninstall, cancel, a restart that
// resumes a Pending uninstall) with the alerting capability's tasks in
// PostgreSQL: what the suite checks of the TaskController over a task store,
// held for this adapter too.
import type postgres from 'postgres';
import { describeCapabilityLifecycle } from '@app/capability-testing';
import { captureNestLogs } from '@app/testing';
import { alertingLifecycleSubject } from '../../alerting-capability/fixtures/alerting-lifecycle-subject.js';
import { useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresTaskStore } from './postgres-task-store.js';

captureNestLogs();
const database = useMigratedDatabase();

/** A task store that ends its own pool on close, as a stopped gateway's would be. */
class PooledTaskStore extends PostgresTaskStore {
  constructor(private readonly pool: postgres.Sql) {
    super(pool);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.pool.end({ timeout: 5 });
  }
}

// Each test has a fresh dataDir: its first open empties the table, a restart (same dataDir) keeps it.
const emptiedFor = new Set<string>();

describeCapabilityLifecycle({
  ...alertingLifecycleSubject,
  async openTasks(dataDir) {
    const pool = database.connect(2);
    if (!emptiedFor.has(dataDir)) {
      emptiedFor.add(dataDir);
      await pool`TRUNCATE capability_tasks`;
    }
    return new PooledTaskStore(pool);
  },
});

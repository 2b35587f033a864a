import type postgres from 'postgres';
import { core } from '@app/proto';
import { task } from '../task-store-contract/task-store.contract.js';
import { useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresTaskStore } from './postgres-task-store.js';

const { Pending, Running, Completed } = core.TaskState;
const database = useMigratedDatabase();
/** A store on a pool of its own: one gateway replica. */
const replica = () => new PostgresTaskStore(database.replicaPool());

let sql: postgres.Sql;
beforeEach(async () => {
  sql = database.replicaPool();
  await sql`TRUNCATE capability_tasks`;
});

describe('PostgresTaskStore across replicas', () => {
  it('two replicas putting one new id at once: no key clash, every put applied whole, one after the other', async () => {
    const [a, b] = [replica(), replica()];
    const PUTS = 40;
    // Each record's state and metadata say who wrote it and when: a mix of two puts would not match.
    const written = (writer: string, i: number) => ({
      ...task('alerting/uninstall/c1', 'alerting.uninstall', i % 2 === 0 ? Running : Completed),
      metadata: { writer, i, state: i % 2 === 0 ? 'Running' : 'Completed' },
    });
    await Promise.all(Array.from({ length: PUTS }, (_, i) => [a.put(written('a', i)), b.put(written('b', i))]).flat());

    const stored = await a.get('alerting/uninstall/c1');
    const { writer, i } = stored!.metadata as { writer: string; i: number };
    expect(stored).toEqual(written(writer, i));
    expect(await b.list('alerting.uninstall')).toHaveLength(1);
    const [{ revision }] = await sql<{ revision: number }[]>`SELECT revision::int FROM capability_tasks`;
    expect(revision).toBe(2 * PUTS);
  });

  it('what one replica puts, another reads at once: a cancel recorded on B is what A lists', async () => {
    const [a, b] = [replica(), replica()];
    await a.put(task('t1', 'k', Pending));
    await b.put({ ...task('t1', 'k', core.TaskState.Canceled), metadata: { canceledOn: 'b' } });

    expect(await a.list('k', [Pending, Running])).toEqual([]);
    expect(await a.get('t1')).toMatchObject({ state: core.TaskState.Canceled, metadata: { canceledOn: 'b' } });
  });
});

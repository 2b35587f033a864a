import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { T0, request, ids, notifyAll, useQueueHarness, type Harness } from './testing/queue-harness.js';

let h: Harness;
const { events } = useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: recovery', () => {
  /** Inserts a row with the given columns directly into the queue table. */
  function insertRow(columns: Record<string, unknown>): void {
    const db = new Database(h.path);
    try {
      const row = {
        seq: 1000,
        id: 'row',
        severity: 0,
        bytes: 1,
        dedupe_key: null,
        created_at: T0,
        attempts: 0,
        occurrences: 1,
        payload: Buffer.from(alerting.Notification.encode({ title: 't', body: 'b', properties: {} }).finish()),
        ...columns,
      };
      const names = Object.keys(row);
      db.prepare(`INSERT INTO queue (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`).run(row);
    } finally {
      db.close();
    }
  }

  it.each<[label: string, columns: Record<string, unknown>, reason: string, quarantinedAs: string]>([
    ['severity 9', { seq: 900, id: 'sev9', severity: 9 }, 'severity is not 0..3', 'sev9'],
    ['negative seq', { seq: -5, id: 'negseq' }, 'seq is not an integer in [0, 2^40)', 'negseq'],
    ['seq beyond 2^40', { seq: 2 ** 41, id: 'bigseq' }, 'seq is not an integer in [0, 2^40)', 'bigseq'],
    ['empty id', { seq: 901, id: '' }, 'id is not a non-empty string', ''],
    ['id as a blob', { seq: 902, id: Buffer.from('blob-id') }, 'id is not a non-empty string', 'blob-id'],
    ['negative bytes', { seq: 903, id: 'negbytes', bytes: -1 }, 'bytes is not a non-negative integer', 'negbytes'],
    [
      'text created_at',
      { seq: 904, id: 'textdate', created_at: 'yesterday' },
      'created_at is not a timestamp',
      'textdate',
    ],
    ['fractional attempts', { seq: 905, id: 'frac', attempts: 1.5 }, 'attempts is not a non-negative integer', 'frac'],
    [
      'zero occurrences',
      { seq: 906, id: 'zeroocc', occurrences: 0 },
      'occurrences is not a positive integer',
      'zeroocc',
    ],
    [
      'blob dedupe key',
      { seq: 907, id: 'blobkey', dedupe_key: Buffer.from([1, 2]) },
      'dedupe_key is not text',
      'blobkey',
    ],
  ])(
    'a row with %s is quarantined and counted; valid rows still load',
    async (_label, columns, reason, quarantinedAs) => {
      let queue = await h.open();
      await notifyAll(queue, [request('a', 'a', 'Warning'), request('b', 'b', 'Critical')]);
      await h.close(queue);
      insertRow(columns);

      queue = await h.open();
      expect(ids(queue)).toEqual(['b', 'a']);
      expect(queue.stats()).toMatchObject({ count: 2, corrupt: 1 });
      expect(h.store.quarantined()).toEqual([{ seq: columns.seq, id: quarantinedAs, reason }]);
      expect(h.rows().map((r) => r.id)).toEqual(['a', 'b']);
      // the queue works, and a second restart finds nothing more to quarantine
      await queue.notify(request('c', 'c', 'Error'));
      queue = await h.reopen(queue);
      expect(ids(queue)).toEqual(['b', 'c', 'a']);
      expect(queue.stats().corrupt).toBe(0);
    },
  );

  it('a second row with an id already loaded is quarantined as a duplicate; the first stays', async () => {
    let queue = await h.open();
    await notifyAll(queue, [request('a', 'a', 'Warning'), request('b', 'b')]);
    await h.close(queue);
    insertRow({ seq: 60, id: 'a', severity: 3 });
    queue = await h.open();
    expect(ids(queue)).toEqual(['a', 'b']);
    expect(queue.stats()).toMatchObject({ count: 2, corrupt: 1, depth: { Warning: 1, Info: 1, Critical: 0 } });
    expect(h.store.quarantined()).toEqual([{ seq: 60, id: 'a', reason: expect.stringMatching(/^duplicate id/) }]);
  });

  it('several bad rows are all quarantined, counted once each', async () => {
    let queue = await h.open();
    await queue.notify(request('a', 'a'));
    await h.close(queue);
    insertRow({ seq: 50, id: 'x1', severity: 9 });
    insertRow({ seq: -1, id: 'x2' });
    insertRow({ seq: 51, id: '' });
    insertRow({ seq: 52, id: 'good', severity: 2 });
    queue = await h.open();
    expect(queue.stats()).toMatchObject({ count: 2, corrupt: 3 });
    expect(ids(queue)).toEqual(['good', 'a']);
    expect(
      h.store
        .quarantined()
        .map((q) => q.id)
        .sort(),
    ).toEqual(['', 'x1', 'x2']);
  });

  it('a row whose payload cannot be decoded is quarantined when taken, and take goes on with the next', async () => {
    let queue = await h.open();
    await notifyAll(queue, [request('a', 'a', 'Warning'), request('b', 'b', 'Info')]);
    await h.close(queue);
    insertRow({ seq: 10, id: 'garbage', severity: 3, bytes: 4, payload: Buffer.from([0xff, 0xff, 0xff, 0xff]) });
    queue = await h.open();
    expect(ids(queue)).toEqual(['garbage', 'a', 'b']);
    expect(queue.stats().corrupt).toBe(0);

    const taken = await queue.take(1);
    expect(taken.map((t) => t.id)).toEqual(['a']);
    expect(queue.stats()).toMatchObject({ count: 2, inFlight: 1, corrupt: 1, depth: { Critical: 0 } });
    expect(h.store.quarantined()).toMatchObject([{ seq: 10, id: 'garbage' }]);
    expect(events('error', 'queue-entry-quarantined')).toMatchObject([{ id: 'garbage' }]);
    expect(h.store.quarantined()[0].reason).toMatch(/^payload unreadable: /);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['a', 'b']);
    expect(queue.stats().corrupt).toBe(0);
  });

  it('a queue.db that is not a database is moved aside and the queue starts empty', async () => {
    writeFileSync(h.path, randomBytes(8192));
    let queue = await h.open();
    expect(queue.stats()).toMatchObject({ count: 0, corrupt: 1 });
    const aside = readdirSync(h.dir).filter((f) => f.startsWith('queue.db.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(events('error', 'queue-file-unreadable')).toEqual([
      { event: 'queue-file-unreadable', movedAside: join(h.dir, aside[0]) },
    ]);
    expect(aside[0]).toMatch(/^queue\.db\.corrupt-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/);
    // and it works normally afterwards
    await queue.notify(request('a', 'a'));
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['a']);
    expect(queue.stats().corrupt).toBe(0);
  });

  it.each([
    ['every page after the schema', 0],
    ['the second half of the pages', 0.5],
  ])('a database with damaged pages (%s) is moved aside, not a crash loop', async (_label, from) => {
    h.limits = { maxCount: 10_000, maxBytes: 1 << 30 };
    let queue = await h.open();
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => queue.notify(request(`n${i}`, `title ${i}`, 'Info', {}, 'x'.repeat(100)))),
    );
    await h.close(queue);
    // The first page (the schema) stays readable, the rows from `from` on do not.
    const db = new Database(h.path);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const size = statSync(h.path).size;
    const start = Math.max(1, Math.floor((from * size) / pageSize)) * pageSize;
    const fd = openSync(h.path, 'r+');
    writeSync(fd, Buffer.alloc(size - start, 0xa5), 0, size - start, start);
    closeSync(fd);

    queue = await h.open(); // does not throw
    // nothing read before the damage showed is kept: it is not in the new file
    expect(queue.stats()).toMatchObject({ count: 0, bytes: 0, corrupt: 1 });
    expect(ids(queue)).toEqual([]);
    expect(readdirSync(h.dir).filter((f) => f.startsWith('queue.db.corrupt-'))).toHaveLength(1);
    expect(await queue.notify(request('n0', 'n0'))).toEqual({ id: 'n0', coalesced: false });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['n0']);
    expect(queue.stats()).toMatchObject({ count: 1, corrupt: 0 });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { DEFAULT_NOTIFICATION_LIMITS, NotificationProperty, SEVERITY_NAMES } from '@app/notification-model';
import { alerting } from '@app/proto';
import { captureNestLogs } from '@app/testing';
import { NotificationQueue } from './notification-queue.js';
import type { QueueLimits } from './queue-limits.js';
import type { QueueWrite } from './queue-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';

/**
 * Random sequences of queue operations — ticks of concurrent notifies (ids
 * and dedupe keys from small pools, so duplicates and merges are common),
 * take, resolve, requeue, restarts and failed commits — on a small queue
 * (both bounds bite) with a real SQLite store. After every step: nothing
 * acknowledged or queued disappears unless evicted (logged and counted),
 * resolved or merged; nothing appears from nowhere; the index, the stats and
 * the file agree; the drain order holds; the bounds hold; evictions never
 * take anything more important than the newcomer.
 */

const RUNS = 150;
const LIMITS: QueueLimits = { maxCount: 4, maxBytes: 300 };

interface Note {
  id: string;
  severity: number;
  key: string | undefined;
  body: number;
}
type Op =
  | { op: 'notify'; notes: Note[]; fail: boolean }
  | { op: 'take'; max: number }
  | { op: 'resolve'; id: string }
  | { op: 'resolveTaken' }
  | { op: 'requeue'; all: boolean }
  | { op: 'reopen' };

const ID_POOL = ['', '', 'a', 'b', 'c', 'd', 'e', 'f', 'g'];
const noteArb: fc.Arbitrary<Note> = fc.record({
  id: fc.constantFrom(...ID_POOL),
  severity: fc.integer({ min: 0, max: 3 }),
  key: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined, freq: 2 }),
  body: fc.integer({ min: 1, max: 60 }),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('notify' as const),
      notes: fc.array(noteArb, { minLength: 1, maxLength: 5 }),
      fail: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), // the tick's first commit fails
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('take' as const), max: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('resolve' as const), id: fc.constantFrom(...ID_POOL) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'resolveTaken' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('requeue' as const), all: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
);

function request(note: Note): alerting.AgentNotification {
  const properties: Record<string, string> = { [NotificationProperty.severity]: SEVERITY_NAMES[note.severity] };
  if (note.key !== undefined) properties[NotificationProperty.dedupeKey] = note.key;
  return { id: note.id, message: { title: 't', body: 'x'.repeat(note.body), properties } };
}

/** Writes a copy of each batch as handed over (as the real store does) and can fail the next one. */
class FailingStore extends SqliteQueueStore {
  failNext = false;
  override async commit(writes: readonly QueueWrite[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('injected failure');
    }
    const snapshot = writes.map((w) => (w.op === 'insert' ? { ...w, record: { ...w.record } } : { ...w }));
    return super.commit(snapshot);
  }
}

const logged = captureNestLogs();

function present(queue: NotificationQueue): Set<string> {
  return new Set([...[...queue.entries()].map((e) => e.id), ...queue.inFlightIds()]);
}

/** Evictions logged since `from`: victim ids, and checks the policy (never more important than the newcomer). */
function evictedSince(from: number): Set<string> {
  const ids = new Set<string>();
  for (const { fields, message } of logged.slice(from)) {
    const f = fields as { event?: string; ids?: string[]; severities?: string[] };
    if (f?.event !== 'queue-evicted') continue;
    const admitted = /to admit a (\w+) one/.exec(String(message))![1];
    for (const severity of f.severities!) {
      expect(SEVERITY_NAMES.indexOf(severity as never)).toBeLessThanOrEqual(SEVERITY_NAMES.indexOf(admitted as never));
    }
    f.ids!.forEach((id) => ids.add(id));
  }
  return ids;
}

function checkConsistent(queue: NotificationQueue, path: string): void {
  const stats = queue.stats();
  const entries = [...queue.entries()];
  const inFlight = queue.inFlightIds();
  const all = present(queue);
  expect(all.size).toBe(entries.length + inFlight.length); // no id twice
  expect(stats.count).toBe(all.size);
  expect(stats.inFlight).toBe(inFlight.length);
  expect(stats.count).toBeLessThanOrEqual(LIMITS.maxCount);
  expect(stats.bytes).toBeLessThanOrEqual(LIMITS.maxBytes);
  expect(Object.values(stats.depth).reduce((a, b) => a + b, 0)).toBe(stats.count);
  for (let i = 1; i < entries.length; i++) {
    const [a, b] = [entries[i - 1], entries[i]];
    const [sa, sb] = [SEVERITY_NAMES.indexOf(a.severity as never), SEVERITY_NAMES.indexOf(b.severity as never)];
    expect(sa > sb || (sa === sb && a.seq < b.seq)).toBe(true);
  }
  // the file holds exactly what the index holds, with the same sizes and severities
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, severity, bytes, length(payload) AS length FROM queue').all() as {
      id: string;
      severity: number;
      bytes: number;
      length: number;
    }[];
    expect(new Set(rows.map((r) => r.id))).toEqual(all);
    for (const row of rows) expect(row.bytes).toBe(row.length);
    expect(rows.reduce((sum, r) => sum + r.bytes, 0)).toBe(stats.bytes);
    const depth = [0, 0, 0, 0];
    for (const row of rows) depth[row.severity]++;
    expect(depth).toEqual(SEVERITY_NAMES.map((name) => stats.depth[name]));
    for (const e of entries)
      expect(rows.find((r) => r.id === e.id)!.severity).toBe(SEVERITY_NAMES.indexOf(e.severity as never));
  } finally {
    db.close();
  }
}

async function run(ops: Op[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-queue-prop-'));
  const path = join(dir, 'queue.db');
  const clock = { now: () => 0 };
  let store = new FailingStore(path);
  let queue = new NotificationQueue(store, LIMITS, DEFAULT_NOTIFICATION_LIMITS, clock);
  const open = async () => {
    store = new FailingStore(path);
    queue = new NotificationQueue(store, LIMITS, DEFAULT_NOTIFICATION_LIMITS, clock);
    await queue.onModuleInit();
  };
  try {
    await queue.onModuleInit();
    for (const op of ops) {
      const before = present(queue);
      const order = [...queue.entries()].map((e) => e.id);
      const mark = logged.length;
      const gone = new Set<string>(); // resolved or merged away, legitimately
      const acked = new Set<string>();
      switch (op.op) {
        case 'notify': {
          store.failNext = op.fail;
          const results = await Promise.allSettled(op.notes.map((n) => queue.notify(request(n))));
          store.failNext = false; // when nothing needed a commit
          for (const r of results) if (r.status === 'fulfilled') acked.add(r.value.id);
          for (const r of results) {
            if (r.status === 'rejected')
              expect(['UnavailableError', 'ResourceExhaustedError']).toContain(r.reason.name);
          }
          break;
        }
        case 'take': {
          const taken = await queue.take(op.max);
          expect(taken.map((t) => t.id)).toEqual(order.slice(0, op.max));
          for (const t of taken) {
            expect(t.notification.properties[NotificationProperty.uuid]).toBe(t.id);
            expect(alerting.Notification.decode(t.encoded)).toEqual(t.notification); // what the push sends
          }
          break;
        }
        case 'resolve': {
          const resolved = await queue.resolve(op.id);
          expect(resolved).toBe(before.has(op.id));
          if (resolved) gone.add(op.id);
          break;
        }
        case 'resolveTaken': {
          const id = queue.inFlightIds()[0];
          if (id !== undefined) {
            expect(await queue.resolve(id)).toBe(true);
            gone.add(id);
          }
          break;
        }
        case 'requeue': {
          const flying = queue.inFlightIds();
          expect(queue.requeue(op.all ? undefined : flying.slice(0, 1))).toBe(
            op.all ? flying.length : Math.min(1, flying.length),
          );
          break;
        }
        case 'reopen': {
          const stats = queue.stats();
          await queue.onModuleDestroy();
          await open();
          expect(queue.inFlightIds()).toEqual([]);
          expect(queue.stats()).toMatchObject({
            count: stats.count,
            bytes: stats.bytes,
            depth: stats.depth,
            corrupt: 0,
          });
          break;
        }
      }
      await queue.idle();
      const evicted = evictedSince(mark);
      const after = present(queue);
      // nothing queued or acknowledged is lost without an eviction or a resolve
      for (const id of [...before, ...acked]) {
        if (!after.has(id) && !evicted.has(id) && !gone.has(id)) {
          throw new Error(`${id} vanished after ${JSON.stringify(op)}`);
        }
      }
      // nothing appears that was not there or acknowledged
      for (const id of after) if (!before.has(id) && !acked.has(id)) throw new Error(`${id} appeared from nowhere`);
      checkConsistent(queue, path);
    }
    // a final restart sees the same queue
    const finalIds = [...present(queue)].sort();
    await queue.onModuleDestroy();
    await open();
    expect([...present(queue)].sort()).toEqual(finalIds);
    checkConsistent(queue, path);
  } finally {
    await queue.onModuleDestroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('NotificationQueue (property)', () => {
  it(`keeps its invariants over ${RUNS} random operation sequences`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        logged.length = 0;
        await run(ops);
      }),
      { numRuns: RUNS },
    );
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DEFAULT_NOTIFICATION_LIMITS,
  NotificationProperty,
  normalizeNotification,
  type SeverityName,
} from '@app/notification-model';
import type { alerting } from '@app/proto';
import { captureNestLogs, type LoggedLine } from '@app/testing';
import { NotificationQueue, type TakenNotification } from '../notification-queue.js';
import type { QueueLimits } from '../queue-limits.js';
import type { QueueWrite } from '../queue-store.js';
import { SqliteQueueStore } from '../sqlite-queue-store.js';

// What the NotificationQueue specs share (the facade's and its parts'): requests, a store that can fail or hold
// commits, and a harness that opens queues on a data directory of its own and closes and deletes it after each test.

export const T0 = Date.UTC(2030, 0, 1);

/** A valid request; severity Info unless given. */
export function request(
  id: string,
  title: string,
  severity?: SeverityName,
  properties: Record<string, string> = {},
  body = `body of ${title}`,
): alerting.AgentNotification {
  const props =
    severity === undefined ? { ...properties } : { [NotificationProperty.severity]: severity, ...properties };
  return { id, message: { title, body, properties: props } };
}

/** A request with an opni_dedupe_key. */
export function keyed(id: string, title: string, severity: SeverityName, key: string, body?: string) {
  return request(id, title, severity, { [NotificationProperty.dedupeKey]: key }, body);
}

/** The stored size of a request's notification (what counts against maxBytes). */
export function sizeOf(req: alerting.AgentNotification): number {
  return normalizeNotification(req.message, DEFAULT_NOTIFICATION_LIMITS).encoded.length;
}

/** The rejection of `promise`; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/**
 * A SqliteQueueStore that counts transactions, can fail the next commit, and
 * can hold commits back. Like the real store it writes a batch when called and
 * only its durability takes time: a held commit is written, not yet answered.
 * It writes a copy of the batch as it was when called, so a change the queue
 * made to a batch after handing it over would be lost here, as it would be in
 * the real store.
 */
export class TestStore extends SqliteQueueStore {
  commits = 0;
  batches: QueueWrite[][] = [];
  failNext: Error | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  override async commit(writes: readonly QueueWrite[]): Promise<void> {
    this.commits++;
    const snapshot = writes.map((w) => (w.op === 'insert' ? { ...w, record: { ...w.record } } : { ...w }));
    this.batches.push(snapshot);
    const failure = this.failNext;
    if (failure) {
      this.failNext = undefined;
      throw failure;
    }
    const written = super.commit(snapshot);
    if (this.gate) await this.gate;
    return written;
  }

  /** Commits are written but not answered until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.openGate?.();
  }
}

/** A data directory with queues opened on it; everything is closed and deleted after each test. */
export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'agent-queue-'));
  readonly path = join(this.dir, 'queue.db');
  time = T0;
  readonly clock = { now: () => this.time };
  private readonly open_ = new Set<NotificationQueue>();
  store!: TestStore;

  constructor(public limits: QueueLimits = { maxCount: 5, maxBytes: 1 << 20 }) {}

  async open(limits: QueueLimits = this.limits): Promise<NotificationQueue> {
    this.store = new TestStore(this.path);
    const queue = new NotificationQueue(this.store, limits, DEFAULT_NOTIFICATION_LIMITS, this.clock);
    await queue.onModuleInit();
    this.open_.add(queue);
    return queue;
  }

  async close(queue: NotificationQueue): Promise<void> {
    this.open_.delete(queue);
    await queue.onModuleDestroy();
  }

  /** Closes `queue` and opens a new one on the same directory (a restart). */
  async reopen(queue: NotificationQueue, limits?: QueueLimits): Promise<NotificationQueue> {
    await this.close(queue);
    return this.open(limits);
  }

  /** Rows of the alias table, read with a separate connection. */
  aliases(): { alias: string; id: string }[] {
    const db = new Database(this.path, { readonly: true });
    try {
      return db
        .prepare('SELECT a.alias, q.id FROM queue_alias a JOIN queue q ON q.seq = a.seq ORDER BY alias')
        .all() as { alias: string; id: string }[];
    } finally {
      db.close();
    }
  }

  /** Rows of the queue table, read with a separate connection. */
  rows(): { seq: number; id: string; severity: number; attempts: number; occurrences: number }[] {
    const db = new Database(this.path, { readonly: true });
    try {
      return db.prepare('SELECT seq, id, severity, attempts, occurrences FROM queue ORDER BY seq').all() as {
        seq: number;
        id: string;
        severity: number;
        attempts: number;
        occurrences: number;
      }[];
    } finally {
      db.close();
    }
  }

  async dispose(): Promise<void> {
    this.store?.release();
    for (const queue of this.open_) await queue.onModuleDestroy().catch(() => undefined);
    this.open_.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One notification of each severity and a second of some, in the order a drain does not take them. */
export const mixed = [
  request('i1', 'i1', 'Info'),
  request('w1', 'w1', 'Warning'),
  request('c1', 'c1', 'Critical'),
  request('e1', 'e1', 'Error'),
  request('i2', 'i2'),
  request('c2', 'c2', 'Critical'),
  request('w2', 'w2', 'Warning'),
];

/** Ids in drain order (queued, not in flight). */
export const ids = (queue: NotificationQueue): string[] => [...queue.entries()].map((e) => e.id);

/** Takes everything queued, in drain order. */
export async function takeAll(queue: NotificationQueue): Promise<TakenNotification[]> {
  return queue.take(Number.MAX_SAFE_INTEGER);
}

/** Notifies one after another (each in its own commit). */
export async function notifyAll(queue: NotificationQueue, requests: alerting.AgentNotification[]): Promise<string[]> {
  const result: string[] = [];
  for (const req of requests) result.push((await queue.notify(req)).id);
  return result;
}

/**
 * Gives each test of the calling spec file a fresh Harness (handed to `use`,
 * disposed after the test), and captures what the queue logs instead of
 * printing it.
 */
export function useQueueHarness(use: (harness: Harness) => void): {
  logged: LoggedLine[];
  /** The structured fields logged at `level` with this event. */
  events: (level: string, event: string) => unknown[];
} {
  const logged = captureNestLogs();
  let harness: Harness;
  beforeEach(() => (logged.length = 0));
  beforeEach(() => use((harness = new Harness())));
  afterEach(() => harness.dispose());
  const events = (level: string, event: string) =>
    logged
      .filter((line) => line.level === level && (line.fields as { event?: string })?.event === event)
      .map((line) => line.fields);
  return { logged, events };
}

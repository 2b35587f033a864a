/**
 * Commits the queue's batches on a worker thread with its own connection, so
 * that neither SQLite's work nor the fsync holds up the event loop that serves
 * Notify. Batches that arrive while a commit runs are committed together, in
 * arrival order, in one transaction with one fsync, each all-or-nothing on
 * its own (a savepoint each): group commit.
 *
 * Receives `{ id, batch }` (see sqlite-batch-codec.ts); answers `{ id }` once
 * durable or `{ id, error }`. `{ close: true }` closes the connection and
 * answers `{ closed: true }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { decodeBatch, type EncodedBatch } from './sqlite-batch-codec.js';
import { batchWriter, configureConnection, type Durability } from './sqlite-writes.js';

type Request = { id: number; batch: EncodedBatch } | { close: true };

const { path, durability } = workerData as { path: string; durability: Durability };
const port = parentPort!;
const db = new Database(path);
configureConnection(db, durability);
const writer = batchWriter(db);
let waiting: { id: number; batch: EncodedBatch }[] = [];
let closing = false;

const describe = (error: unknown) => {
  const { message, code } = error as { message?: string; code?: unknown };
  return { message: String(message ?? error), code };
};

function commitWaiting(): void {
  const requests = waiting;
  waiting = [];
  try {
    const errors = writer.commitEach(requests.map((r) => decodeBatch(r.batch)));
    requests.forEach(({ id }, i) => port.postMessage(errors[i] ? { id, error: describe(errors[i]) } : { id }));
  } catch (error) {
    for (const { id } of requests) port.postMessage({ id, error: describe(error) });
  }
  if (closing) {
    db.close();
    port.postMessage({ closed: true });
  }
}

port.on('message', (request: Request) => {
  if ('close' in request) {
    closing = true;
    if (waiting.length === 0) commitWaiting();
    return;
  }
  // Gather every batch that arrives in this turn of the worker's loop, then commit them at once.
  if (waiting.length === 0) setImmediate(commitWaiting);
  waiting.push(request);
});

/**
 * Reads the queue's rows for recovery on a worker thread, so that SQLite's
 * reading and the main thread's index building overlap (a large queue
 * recovers in about the time of the slower of the two, not their sum).
 * Posts pages, then `{ done: true }`, or `{ error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { pageBuffers, readPages } from './sqlite-recovery.js';

const { path } = workerData as { path: string };
try {
  const db = new Database(path, { readonly: true });
  try {
    for (const page of readPages(db)) parentPort!.postMessage({ page }, pageBuffers(page));
  } finally {
    db.close();
  }
  parentPort!.postMessage({ done: true });
  // Stay alive until terminated, so that exiting can never race the delivery of the last pages.
  parentPort!.on('message', () => undefined);
} catch (error) {
  const { message, code } = error as { message?: string; code?: unknown };
  parentPort!.postMessage({ error: { message: String(message ?? error), code } });
}

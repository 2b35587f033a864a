/**
 * Reads the queue's rows for recovery on a worker thread, so that SQLite's
 * reading and the main thread's index building overlap (a large queue
 * recovers in about the time of the slower of the two, not their sum).
 * Posts pages (at most MAX_AHEAD not yet acknowledged), then `{ done: true }`,
 * or `{ error }`; the main thread acknowledges each page it has loaded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { pageBuffers, readPages } from './sqlite-recovery.js';

/** Pages posted and not yet loaded at most: reading ahead further only holds memory. */
const MAX_AHEAD = 8;

const { path } = workerData as { path: string };
const port = parentPort!;
let ahead = 0;
let wake: (() => void) | undefined;
port.on('message', () => {
  ahead--; // the main thread loaded a page
  wake?.();
});

try {
  const db = new Database(path, { readonly: true });
  try {
    for (const page of readPages(db)) {
      while (ahead >= MAX_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
      port.postMessage({ page }, pageBuffers(page));
      ahead++;
    }
  } finally {
    db.close();
  }
  port.postMessage({ done: true });
  // The port's listener keeps the worker alive until terminated: exiting never races the last pages.
} catch (error) {
  const { message, code } = error as { message?: string; code?: unknown };
  port.postMessage({ error: { message: String(message ?? error), code } });
}

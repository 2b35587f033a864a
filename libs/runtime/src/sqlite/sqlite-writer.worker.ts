/**
 * The writer thread of a SQLite file (see SqliteWriterThread): commits on its
 * own connection, so that neither SQLite's work nor the fsync holds up the
 * event loop. Requests that arrive while a commit runs are committed
 * together, in arrival order, by one commitAll (one transaction, one fsync):
 * group commit. What a commit does is the app's: workerData.committer is the
 * module whose openCommitter(workerData.options) opens the connection.
 *
 * Receives `{ requests }` (several per message: posting one costs more than
 * cloning a small request); answers each commit with one `{ outcomes }`
 * message once it is durable. `{ close: true }` commits what is waiting,
 * closes the connection and answers `{ closed: true }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Committer } from './sqlite-writer-thread.js';

/** A request with the id its outcome is answered by. */
export interface WriterRequest {
  id: number;
  request: unknown;
}
/** What the owner posts to the thread. */
export type WriterMessage = { requests: WriterRequest[] } | { close: true };
/** What became of one request. */
export type WriterOutcome = { id: number; reply: unknown } | { id: number; error: { message: string; code?: unknown } };
/** What the thread posts back: a commit's outcomes, and how many messages they answer. */
export type WriterReply = { outcomes: WriterOutcome[]; messages: number } | { closed: true };

const { committer: committerModule, options } = workerData as { committer: string; options: unknown };
const port = parentPort!;
let committer: Committer<unknown, unknown> | undefined;
let waiting: WriterRequest[] = [];
/** Messages whose requests are in `waiting`. */
let messages = 0;
let scheduled = false;
let closing = false;

const describe = (error: unknown): { message: string; code?: unknown } => {
  const { message, code } = error as { message?: string; code?: unknown };
  return { message: String(message ?? error), code };
};

function commitWaiting(): void {
  scheduled = false;
  if (!committer) return; // still loading: commits once it is ready
  const requests = waiting;
  const answering = messages;
  waiting = [];
  messages = 0;
  if (answering > 0) {
    let outcomes: WriterOutcome[];
    try {
      const results = committer.commitAll(requests.map((r) => r.request));
      outcomes = requests.map(({ id }, i) => {
        const result = results[i];
        return result instanceof Error ? { id, error: describe(result) } : { id, reply: result };
      });
    } catch (error) {
      outcomes = requests.map(({ id }) => ({ id, error: describe(error) }));
    }
    port.postMessage({ outcomes, messages: answering } satisfies WriterReply);
  }
  if (closing) {
    committer.close();
    port.postMessage({ closed: true } satisfies WriterReply);
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // Gather every request that arrives in this turn of the worker's loop, then commit them at once.
  setImmediate(commitWaiting);
}

port.on('message', (message: WriterMessage) => {
  if ('close' in message) closing = true;
  else {
    waiting.push(...message.requests);
    messages++;
  }
  schedule();
});

import(committerModule).then(
  (module: { openCommitter: (options: unknown) => Committer<unknown, unknown> }) => {
    committer = module.openCommitter(options);
    schedule();
  },
  (error: unknown) => {
    // Nothing can be committed: fail what waits; the owner fails the rest when the thread exits.
    const outcomes = waiting.map(({ id }) => ({ id, error: describe(error) }));
    port.postMessage({ outcomes, messages } satisfies WriterReply);
    waiting = [];
    messages = 0;
    throw error;
  },
);

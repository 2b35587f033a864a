import type { Transferable, Worker } from 'node:worker_threads';
// (also what puts the worker's module in every build that uses this one: nothing imports it otherwise)
import type { WriterMessage, WriterReply, WriterRequest } from './sqlite-writer.worker.js';
import { sourceOrBuilt, startWorker } from './start-worker.js';

/**
 * What a writer thread does with the requests it gathered (see
 * sqlite-writer.worker.ts); an app module exports `openCommitter(options)`
 * returning one, given to SqliteWriterThread by that module's URL.
 */
export interface Committer<Request, Reply> {
  /**
   * Commits the requests in one transaction (one fsync), each all or nothing
   * on its own: the result holds each one's reply, or its Error when it alone
   * failed. Throws when the transaction as a whole fails (none is committed).
   */
  commitAll(requests: Request[]): (Reply | Error)[];
  /** Closes the connection (after the last commitAll). */
  close(): void;
}

/** How to start the thread: the committer module's built .js URL and what its openCommitter gets. */
export interface WriterThreadSpec {
  committer: URL;
  options: unknown;
  /** For the message of a thread that died, e.g. "the queue's commit thread". */
  name: string;
}

/** Messages posted to the thread and not yet answered at most; later requests wait to go in one message. */
const MAX_POSTED = 2;

interface Started {
  worker: Worker;
  pending: Map<number, { resolve: (reply: unknown) => void; reject: (error: Error) => void }>;
  /** Messages posted whose commit has not been answered yet. */
  posted: number;
  /** Requests (and their buffers) held back until fewer than MAX_POSTED messages are unanswered. */
  held: WriterRequest[];
  heldTransfer: Transferable[];
}

/**
 * The owner's side of a SQLite writer thread (sqlite-writer.worker.ts):
 * commit() hands a request over and resolves with its reply once the thread
 * has committed it durably. Requests handed over while the thread is busy
 * are committed together (group commit). If the thread dies, what it had
 * pending fails and the next commit() starts another.
 *
 * Posting a message costs the event loop more than the request it carries,
 * so requests go over in few messages: while MAX_POSTED messages await their
 * commit, later requests are held and go together once one is answered. The
 * thread has the next batch at hand while it commits, as when each went
 * alone, and commits the same groups.
 */
export class SqliteWriterThread<Request, Reply> {
  private started: Started | undefined;
  private nextId = 0;

  constructor(private readonly spec: WriterThreadSpec) {}

  /** Starts the thread now rather than at the first commit (its start-up then overlaps other work). */
  start(): this {
    this.started ??= this.startThread();
    return this;
  }

  /** `transfer`: buffers of the request to move to the thread instead of copying them. */
  commit(request: Request, transfer: readonly Transferable[] = []): Promise<Reply> {
    const started = (this.started ??= this.startThread());
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      started.pending.set(id, { resolve: resolve as (reply: unknown) => void, reject });
      started.held.push({ id, request });
      started.heldTransfer.push(...transfer);
      if (started.posted < MAX_POSTED) this.post(started);
    });
  }

  /** Lets the thread commit what it has been handed and close its connection, then stops it. */
  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    if (!started) return;
    const closed = new Promise<void>((resolve) => {
      started.worker.on('message', (message: WriterReply) => 'closed' in message && resolve());
      started.worker.on('exit', () => resolve());
    });
    if (started.held.length > 0) this.post(started);
    started.worker.postMessage({ close: true } satisfies WriterMessage);
    await closed;
    await started.worker.terminate();
  }

  /** Posts the held requests as one message. */
  private post(started: Started): void {
    const message: WriterMessage = { requests: started.held };
    started.worker.postMessage(message, started.heldTransfer);
    started.held = [];
    started.heldTransfer = [];
    started.posted++;
  }

  private startThread(): Started {
    const worker = startWorker(new URL('./sqlite-writer.worker.js', import.meta.url), {
      committer: sourceOrBuilt(this.spec.committer),
      options: this.spec.options,
    });
    const started: Started = { worker, pending: new Map(), posted: 0, held: [], heldTransfer: [] };
    const fail = (error: Error) => {
      if (this.started === started) this.started = undefined;
      for (const { reject } of started.pending.values()) reject(error);
      started.pending.clear();
      started.held = [];
      started.heldTransfer = [];
    };
    worker.on('message', (message: WriterReply) => {
      if ('closed' in message) return;
      started.posted -= message.messages; // one commit may answer several messages
      if (started.held.length > 0) this.post(started);
      for (const outcome of message.outcomes) {
        const waiting = started.pending.get(outcome.id);
        started.pending.delete(outcome.id);
        if ('error' in outcome)
          waiting?.reject(Object.assign(new Error(outcome.error.message), { code: outcome.error.code }));
        else waiting?.resolve(outcome.reply);
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${this.spec.name} exited (code ${code})`)));
    return started;
  }
}

import type { Transferable, Worker } from 'node:worker_threads';
// (also what puts the worker's module in every build that uses this one: nothing imports it otherwise)
import type { WriterReply, WriterRequest } from './sqlite-writer.worker.js';
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

interface Started {
  worker: Worker;
  pending: Map<number, { resolve: (reply: unknown) => void; reject: (error: Error) => void }>;
}

/**
 * The owner's side of a SQLite writer thread (sqlite-writer.worker.ts):
 * commit() hands a request over and resolves with its reply once the thread
 * has committed it durably. Requests handed over while the thread is busy
 * are committed together (group commit). If the thread dies, what it had
 * pending fails and the next commit() starts another.
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
      started.worker.postMessage({ id, request } satisfies WriterRequest, transfer);
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
    started.worker.postMessage({ close: true } satisfies WriterRequest);
    await closed;
    await started.worker.terminate();
  }

  private startThread(): Started {
    const worker = startWorker(new URL('./sqlite-writer.worker.js', import.meta.url), {
      committer: sourceOrBuilt(this.spec.committer),
      options: this.spec.options,
    });
    const started: Started = { worker, pending: new Map() };
    const fail = (error: Error) => {
      if (this.started === started) this.started = undefined;
      for (const { reject } of started.pending.values()) reject(error);
      started.pending.clear();
    };
    worker.on('message', (message: WriterReply) => {
      if ('closed' in message) return;
      const waiting = started.pending.get(message.id);
      started.pending.delete(message.id);
      if ('error' in message)
        waiting?.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
      else waiting?.resolve(message.reply);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${this.spec.name} exited (code ${code})`)));
    return started;
  }
}

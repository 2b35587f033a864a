import { closeSync, fdatasync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';

export interface WalSyncOptions {
  /** The fdatasync to call (node:fs's; a test passes one it controls). */
  fdatasync?: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;
}

/**
 * Makes a WAL-mode SQLite file's commits durable without blocking the event
 * loop: the connection commits with synchronous=NORMAL (frames written to the
 * WAL, no fsync), and `sync()` resolves once an fdatasync of the WAL file that
 * started after the call has finished. The fdatasync runs on libuv's thread
 * pool, and every call made while one runs shares the next one (group commit).
 *
 * That gives what synchronous=FULL gives (a resolved commit survives power
 * loss: SQLite recovers every committed frame the WAL holds, and NORMAL still
 * syncs the WAL before a checkpoint and the database after it), while the
 * event loop only writes pages to the OS; there is no thread to hand rows to.
 *
 * The WAL file must stay the same file while this is open: SQLite deletes it
 * only when the last connection closes or the journal mode changes, so the
 * owner keeps `db` open for as long as it uses this.
 */
export class WalSync {
  private readonly fd: number;
  private readonly fdatasync: NonNullable<WalSyncOptions['fdatasync']>;
  /** fdatasyncs started so far: with `sync()` calls, how well they are shared. */
  private started = 0;
  private readonly walPath: string;
  private running = false;
  /** Callers whose writes the next fdatasync must cover. */
  private waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private closed = false;
  /** close() waiting for the syncs in progress to finish. */
  private whenIdle?: () => void;

  /** `db`: an open connection in WAL mode, after its first write (the WAL file exists). */
  constructor(db: Database.Database, options: WalSyncOptions = {}) {
    this.fdatasync = options.fdatasync ?? fdatasync;
    const mode = db.pragma('journal_mode', { simple: true });
    if (mode !== 'wal') throw new Error(`WalSync needs journal_mode=WAL, ${db.name} is in ${String(mode)}`);
    this.walPath = `${db.name}-wal`;
    this.fd = openSync(this.walPath, 'r+');
    // The WAL file's own directory entry must be durable too (SQLite syncs it only when it syncs the WAL itself).
    const dir = openSync(dirname(this.walPath), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    fsyncSync(this.fd);
  }

  /** Resolves once everything written to the WAL before this call is on stable storage. */
  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.walPath}: closed`));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) this.run();
    });
  }

  /** fdatasyncs started so far. */
  get syncs(): number {
    return this.started;
  }

  /** True while the open file is still the WAL SQLite writes to (for tests and diagnostics). */
  isCurrent(): boolean {
    return fstatSync(this.fd).ino === statSync(this.walPath).ino;
  }

  /** Closes the file once the syncs asked for are done. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.running) await new Promise<void>((resolve) => (this.whenIdle = resolve));
    closeSync(this.fd);
  }

  private run(): void {
    const covered = this.waiting;
    this.waiting = [];
    this.running = true;
    this.started++;
    this.fdatasync(this.fd, (error) => {
      this.running = false;
      for (const waiter of covered) {
        if (error) waiter.reject(new Error(`fdatasync ${this.walPath}: ${error.message}`));
        else waiter.resolve();
      }
      if (this.waiting.length > 0) this.run();
      else this.whenIdle?.();
    });
  }
}

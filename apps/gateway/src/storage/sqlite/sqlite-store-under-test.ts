import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplicatedStoreUnderTest } from '../replicated-store-under-test.js';

/**
 * A SQLite store on a file in a new temporary directory; its "replicas" are
 * further stores on the same file, each with its connection, as further
 * gateway processes on the file would have.
 */
export function sqliteStoreUnderTest<Store extends { close(): Promise<void> }>(
  file: string,
  openAt: (path: string) => Store,
): ReplicatedStoreUnderTest<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
  const path = join(dir, file);
  const replicas: Store[] = [];
  const subject = {
    store: openAt(path),
    async reopen() {
      await subject.store.close();
      subject.store = openAt(path);
    },
    async replica() {
      const store = openAt(path);
      replicas.push(store);
      return store;
    },
    async dispose() {
      for (const store of [subject.store, ...replicas]) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return subject;
}

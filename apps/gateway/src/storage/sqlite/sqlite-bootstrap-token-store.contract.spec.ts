import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import { SqliteBootstrapTokenStore } from '../../enrolment/tokens/sqlite-bootstrap-token-store.js';
import { describeBootstrapTokenStoreContract } from '../bootstrap-token-store-contract/bootstrap-token-store.contract.js';

describeBootstrapTokenStoreContract('SqliteBootstrapTokenStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-store-contract-'));
  const path = join(dir, 'tokens.db');
  const replicas: BootstrapTokenStore[] = [];
  const subject = {
    store: new SqliteBootstrapTokenStore(path) as BootstrapTokenStore,
    async reopen() {
      await subject.store.close();
      subject.store = new SqliteBootstrapTokenStore(path);
    },
    async replica() {
      // Another connection to the file, as a second gateway process on it would have.
      const store = new SqliteBootstrapTokenStore(path);
      replicas.push(store);
      return store;
    },
    async dispose() {
      for (const store of [subject.store, ...replicas]) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return subject;
});

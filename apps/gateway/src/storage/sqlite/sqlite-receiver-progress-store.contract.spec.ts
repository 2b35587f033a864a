import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReceiverProgressStore } from '../../receivers/delivery/sqlite-receiver-progress-store.js';
import { describeReceiverProgressStoreContract } from '../receiver-progress-store-contract/receiver-progress-store.contract.js';

describeReceiverProgressStoreContract('SqliteReceiverProgressStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'receiver-progress-contract-'));
  const path = join(dir, 'receivers.db');
  const subject = {
    store: new SqliteReceiverProgressStore(path),
    async reopen() {
      await subject.store.close();
      subject.store = new SqliteReceiverProgressStore(path);
    },
    async dispose() {
      await subject.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return subject;
});

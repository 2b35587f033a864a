import { SqliteReceiverProgressStore } from './sqlite-receiver-progress-store.js';
import { describeReceiverProgressStoreContract } from '../receiver-progress-store-contract/receiver-progress-store.contract.js';
import { reopenableSqliteStore } from './fixtures/reopenable-sqlite-store.js';

describeReceiverProgressStoreContract('SqliteReceiverProgressStore', async () =>
  reopenableSqliteStore('receivers.db', (path) => new SqliteReceiverProgressStore(path)),
);

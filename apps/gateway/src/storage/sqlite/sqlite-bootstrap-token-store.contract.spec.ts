import type { BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import { SqliteBootstrapTokenStore } from './sqlite-bootstrap-token-store.js';
import { describeBootstrapTokenStoreContract } from '../bootstrap-token-store-contract/bootstrap-token-store.contract.js';
import { sqliteStoreUnderTest } from './sqlite-store-under-test.js';

describeBootstrapTokenStoreContract('SqliteBootstrapTokenStore', async () =>
  sqliteStoreUnderTest<BootstrapTokenStore>('tokens.db', (path) => new SqliteBootstrapTokenStore(path)),
);

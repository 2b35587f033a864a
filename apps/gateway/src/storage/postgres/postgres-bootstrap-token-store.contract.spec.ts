import type { BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import { describeBootstrapTokenStoreContract } from '../bootstrap-token-store-contract/bootstrap-token-store.contract.js';
import { PostgresBootstrapTokenStore } from './postgres-bootstrap-token-store.js';
import { migratedDatabase } from './postgres-spec-database.js';

const database = migratedDatabase();

describeBootstrapTokenStoreContract('PostgresBootstrapTokenStore', () =>
  database.open<BootstrapTokenStore>(['bootstrap_tokens'], (sql) => new PostgresBootstrapTokenStore(sql)),
);

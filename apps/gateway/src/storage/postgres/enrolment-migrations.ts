import type { Migration } from './schema-migrations.js';

/**
 * The bootstrap tokens' and the clusters' tables (postgres-bootstrap-token-store.ts,
 * postgres-cluster-store.ts). Tokens have a column per field, so that a use is
 * one conditional UPDATE; cluster records, node configurations and statuses are
 * JSON documents as in SQLite (read whole, written rarely), node configurations
 * with their revision beside them for compare-and-set.
 */
export const ENROLMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 2,
    name: 'bootstrap tokens',
    up: `
      CREATE TABLE bootstrap_tokens (
        id          text PRIMARY KEY,
        secret_hash text NOT NULL,           -- SHA-256 of the secret half, hex; never the secret
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz,             -- NULL: never expires
        max_usages  integer NOT NULL,        -- 0: any number of joins
        usages      integer NOT NULL,
        labels      jsonb NOT NULL,
        revoked_at  timestamptz
      );
    `,
  },
  {
    version: 3,
    name: 'clusters, their keys, node configurations and statuses',
    up: `
      CREATE TABLE clusters (
        id     text PRIMARY KEY,
        record text NOT NULL                 -- encodeJsonRecord(ClusterRecord)
      );
      CREATE TABLE cluster_keys (
        cluster_id text PRIMARY KEY,
        key        bytea NOT NULL            -- the 32-byte key both sides derived at join
      );
      CREATE TABLE node_configs (
        cluster_id text NOT NULL,
        capability text NOT NULL,
        revision   bigint NOT NULL,          -- the record's revision, for putNodeConfigIf
        record     text NOT NULL,
        PRIMARY KEY (cluster_id, capability)
      );
      CREATE TABLE node_statuses (
        cluster_id text NOT NULL,
        capability text NOT NULL,
        record     text NOT NULL,
        PRIMARY KEY (cluster_id, capability)
      );
    `,
  },
];

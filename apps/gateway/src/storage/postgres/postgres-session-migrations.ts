import type { Migration } from './schema-migrations.js';

/**
 * Which replica holds each cluster's agent session (see
 * postgres-session-directory.ts): the live replicas, each with its last
 * heartbeat, and a row per connected cluster naming its replica. A replica's
 * rows go with it (ON DELETE CASCADE) when it stops or, dead, is reaped.
 */
export const SESSION_MIGRATIONS: readonly Migration[] = [
  {
    version: 7,
    name: 'agent sessions across replicas',
    up: `
      CREATE TABLE gateway_replicas (
        instance     text PRIMARY KEY,          -- newReplicaInstance(): host name and a random suffix
        started_at   timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL
      );
      CREATE SEQUENCE agent_session_epochs;
      CREATE TABLE agent_sessions (
        cluster_id    text PRIMARY KEY,
        replica       text NOT NULL REFERENCES gateway_replicas (instance) ON DELETE CASCADE,
        session_epoch bigint NOT NULL,          -- from agent_session_epochs: tells one claim from the next
        connected_at  timestamptz NOT NULL
      );
      CREATE INDEX agent_sessions_by_replica ON agent_sessions (replica);
    `,
  },
];

import type { Migration } from './schema-migrations.js';

/**
 * Which replica delivers each receiver and Alertmanager target (see
 * postgres-delivery-leases.ts). Version 8: 7 is left to another table.
 */
export const DELIVERY_LEASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 8,
    name: 'delivery leases',
    up: `
      CREATE TABLE delivery_leases (
        key         text PRIMARY KEY,         -- the target's progress key (receiver_progress.receiver)
        holder      text NOT NULL,            -- the replica holding it, or that last held it
        epoch       bigint NOT NULL,          -- fencing token: one more at every acquisition; never reset
        acquired_at timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL      -- on the database's clock; -infinity once released
      );
    `,
  },
];

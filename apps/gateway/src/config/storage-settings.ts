import { IsIn, Matches, ValidateIf } from 'class-validator';
import { NotificationLimitSettings } from '@app/notification-model';
import { IntegerSetting, Setting } from '@app/runtime';

/** Where the gateway keeps its state: SQLite files of one gateway, or a PostgreSQL database shared by replicas. */
export const STORAGE_KINDS = ['sqlite', 'postgres'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/** How the connections to PostgreSQL use TLS; `url` leaves it to the URL's `sslmode`. */
export const POSTGRES_TLS_MODES = ['url', 'disable', 'require', 'verify-full'] as const;
export type PostgresTlsMode = (typeof POSTGRES_TLS_MODES)[number];

const usesPostgres = (settings: StorageSettings) => settings.storage === 'postgres';

/** The gateway's storage settings (GatewaySettings extends these). */
export class StorageSettings extends NotificationLimitSettings {
  @Setting({
    env: 'GATEWAY_STORAGE',
    flag: 'storage',
    description:
      'Where the gateway keeps notifications, clusters, tokens, tasks and delivery progress: `sqlite` (files in the data directory, one gateway) or `postgres` (the database at GATEWAY_POSTGRES_URL, shared by every replica).',
  })
  @IsIn(STORAGE_KINDS)
  storage: StorageKind = 'sqlite';

  @Setting({
    env: 'GATEWAY_POSTGRES_URL',
    flag: 'postgres-url',
    description:
      'PostgreSQL connection URL when GATEWAY_STORAGE=postgres, e.g. `postgres://gateway@db-1:5432,db-2:5432/alerting?target_session_attrs=read-write` (several hosts: the one that takes writes is used, so a promoted standby is found after a failover). The password may come from PGPASSWORD instead.',
  })
  @ValidateIf(usesPostgres)
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'must be a postgres:// or postgresql:// URL when GATEWAY_STORAGE=postgres',
  })
  postgresUrl = '';

  @IntegerSetting(
    {
      env: 'GATEWAY_POSTGRES_POOL_SIZE',
      flag: 'postgres-pool-size',
      description:
        "Most connections this replica opens to PostgreSQL (one more listens for the other replicas' notifications).",
    },
    1,
    1000,
  )
  postgresPoolSize = 10;

  @Setting({
    env: 'GATEWAY_POSTGRES_TLS',
    flag: 'postgres-tls',
    description:
      "TLS to PostgreSQL: `url` (as the URL's sslmode says; none when it says nothing), `disable`, `require` (encrypted, server not verified) or `verify-full` (server certificate and name verified, against GATEWAY_POSTGRES_CA_FILE when set, else the system's CAs).",
  })
  @IsIn(POSTGRES_TLS_MODES)
  postgresTls: PostgresTlsMode = 'url';

  @Setting({
    env: 'GATEWAY_POSTGRES_CA_FILE',
    flag: 'postgres-ca-file',
    description:
      "PEM file of the CA that signed PostgreSQL's server certificate (with GATEWAY_POSTGRES_TLS=verify-full).",
  })
  postgresCaFile = '';

  @IntegerSetting(
    {
      env: 'GATEWAY_DELIVERY_LEASE_SECONDS',
      flag: 'delivery-lease-seconds',
      description:
        'With GATEWAY_STORAGE=postgres, one replica delivers each receiver and Alertmanager target, holding a lease it renews every third of this; when it stops renewing (it died), another replica takes over after at most this long plus a third.',
    },
    1,
    3600,
  )
  deliveryLeaseSeconds = 15;
}

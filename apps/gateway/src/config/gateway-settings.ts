import { applyDecorators } from '@nestjs/common';
import { IsIn, IsIP, IsNotEmpty, IsString, IsUrl, Matches, ValidateIf } from 'class-validator';
import { NotificationLimitSettings } from '@app/notification';
import { IntegerSetting, PortSetting, Setting, type SettingSpec } from '@app/runtime';
import { IsReceiversFile } from '../receivers/is-receivers-file.decorator.js';

/** Where the gateway keeps notifications; only SQLite for now (NATS JetStream later, for several replicas). */
export const NOTIFICATION_STORE_KINDS = ['sqlite'] as const;
export type NotificationStoreKind = (typeof NOTIFICATION_STORE_KINDS)[number];

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const POSITIVE_DURATION = /^[1-9]\d*(ms|s|m|h|d)$/;

/** A duration setting such as `90s`, `15m`, `7d` (units ms, s, m, h, d); read it with durationMs(). */
function DurationSetting(spec: SettingSpec, { positive }: { positive: boolean }): PropertyDecorator {
  const rule = 'a whole number with a unit: ms, s, m, h or d (e.g. 90s, 15m, 7d)';
  return applyDecorators(
    Setting(spec),
    positive
      ? Matches(POSITIVE_DURATION, { message: `must be more than 0: ${rule}` })
      : Matches(DURATION, { message: `must be ${rule}` }),
  );
}

/** Milliseconds of a duration setting's value (validated at start-up, so it always matches). */
export function durationMs(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new Error(`not a duration: ${JSON.stringify(value)}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Every setting of the gateway; see the README's settings table. */
export class GatewaySettings extends NotificationLimitSettings {
  @Setting({ env: 'GATEWAY_HOST', flag: 'host', description: 'IP address the gRPC and HTTP servers bind to.' })
  @IsIP()
  host = '0.0.0.0';

  @PortSetting({
    env: 'GATEWAY_GRPC_PORT',
    flag: 'grpc-port',
    description:
      'gRPC port: agent sessions, capability Backend, alerting NotificationQueryService, grpc.health.v1 (0 picks a free port).',
  })
  grpcPort = 9090;

  @PortSetting({
    env: 'GATEWAY_HTTP_PORT',
    flag: 'http-port',
    description: 'HTTP port: /healthz, /metrics (Prometheus), /api/v1/notifications (0 picks a free port).',
  })
  httpPort = 8080;

  @Setting({
    env: 'GATEWAY_DATA_DIR',
    flag: 'data-dir',
    description: 'Directory for the gateway database; created if missing.',
  })
  @IsString()
  @IsNotEmpty()
  dataDir = './data/gateway';

  @Setting({
    env: 'GATEWAY_RECEIVERS_FILE',
    flag: 'receivers-file',
    description: 'JSON file declaring the webhook receivers (see "Webhook receivers"); none when empty.',
  })
  @IsString()
  @IsReceiversFile()
  receiversFile = '';

  @Setting({
    env: 'GATEWAY_EXTERNAL_URL',
    flag: 'external-url',
    description: "URL at which people reach the gateway's HTTP API; receivers' payloads link to it (externalURL).",
  })
  @ValidateIf((settings: GatewaySettings) => settings.externalUrl !== '')
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'must be empty or an http:// or https:// URL' },
  )
  externalUrl = '';

  @Setting({
    env: 'GATEWAY_NOTIFICATION_STORE',
    flag: 'notification-store',
    description: 'Where notifications are stored: `sqlite` (`notifications.db` in the data directory).',
  })
  @IsIn(NOTIFICATION_STORE_KINDS)
  notificationStore: NotificationStoreKind = 'sqlite';

  @DurationSetting(
    {
      env: 'GATEWAY_RETENTION_MAX_AGE',
      flag: 'retention-max-age',
      description:
        'Stored notifications older than this are deleted (units ms, s, m, h, d; `0d` keeps them regardless of age).',
    },
    { positive: false },
  )
  retentionMaxAge = '7d';

  @IntegerSetting(
    {
      env: 'GATEWAY_RETENTION_MAX_COUNT',
      flag: 'retention-max-count',
      description: 'Most notifications kept; beyond it the oldest are deleted (0: no limit).',
    },
    0,
    Number.MAX_SAFE_INTEGER,
    '0: no limit',
  )
  retentionMaxCount = 1_000_000;

  @DurationSetting(
    {
      env: 'GATEWAY_RETENTION_INTERVAL',
      flag: 'retention-interval',
      description: 'How often retention runs (it also runs at start-up).',
    },
    { positive: true },
  )
  retentionInterval = '1m';

  @DurationSetting(
    {
      env: 'GATEWAY_SSE_HEARTBEAT',
      flag: 'sse-heartbeat',
      description:
        'Interval of the comment line that keeps idle /api/v1/notifications/stream connections open through proxies.',
    },
    { positive: true },
  )
  sseHeartbeat = '15s';
}

import { hostname } from 'node:os';
import { applyDecorators } from '@nestjs/common';
import { IsIP, IsNotEmpty, IsString, IsUrl, Matches, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import {
  CheckedSetting,
  DURATION_RULE,
  hostPort,
  IntegerSetting,
  isWildcardAddress,
  parseDuration,
  PortSetting,
  Setting,
  type SettingSpec,
} from '@app/runtime';
import { StorageSettings } from './storage-settings.js';

/** A duration setting such as `90s`, `15m`, `7d` (units ms, s, m, h, d; at most 3650d); read it with durationMs(). */
function DurationSetting(spec: SettingSpec, { positive }: { positive: boolean }): PropertyDecorator {
  return applyDecorators(
    Setting(spec),
    ValidateBy({
      name: positive ? 'isPositiveDuration' : 'isDuration',
      validator: {
        validate: (value: unknown) => {
          const ms = typeof value === 'string' ? parseDuration(value) : undefined;
          return ms !== undefined && (!positive || ms > 0);
        },
        defaultMessage: () => (positive ? `must be more than 0: ${DURATION_RULE}` : `must be ${DURATION_RULE}`),
      },
    }),
  );
}

/** Milliseconds of a duration setting's value (validated at start-up, so it always parses). */
export function durationMs(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`not a duration: ${JSON.stringify(value)}`);
  return ms;
}

/** Every setting of the gateway; see the README's settings table. */
export class GatewaySettings extends StorageSettings {
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
    description:
      'HTTP port: the admin page at /admin/, /healthz, /metrics (Prometheus), the admin API under /api/v1/ (0 picks a free port).',
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
    description:
      'JSON file declaring the webhook receivers and Alertmanager targets (see "Webhook receivers", "Alertmanager targets"); none when empty.',
  })
  @IsString()
  @CheckedSetting() // by loading the file: receiversFileProblem, which main.ts passes (config imports no feature)
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

  @DurationSetting(
    {
      env: 'GATEWAY_HEALTH_POLL_INTERVAL',
      flag: 'health-poll-interval',
      description:
        "How often the gateway asks each connected agent for its health over the agent's session (agents also push changes).",
    },
    { positive: true },
  )
  healthPollInterval = '30s';

  @Setting({
    env: 'GATEWAY_ADVERTISED_ADDRESS',
    flag: 'advertised-address',
    description:
      "host:port agents dial to reach this gateway, written into the join command (the installer template's {{ .Address }}:{{ .Port }}); empty: GATEWAY_HOST (this host name when it is 0.0.0.0 or ::) and the gRPC port bound.",
  })
  @ValidateIf((settings: GatewaySettings) => settings.advertisedAddress !== '')
  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/, { message: 'must be empty or host:port' })
  advertisedAddress = '';

  @Setting({
    env: 'GATEWAY_TLS_CERT_FILE',
    flag: 'tls-cert-file',
    description:
      'PEM serving certificate (with its chain) for the gRPC port; with GATEWAY_TLS_KEY_FILE. Empty: a CA and a certificate generated in <data-dir>/tls.',
  })
  @IsString()
  tlsCertFile = '';

  @Setting({
    env: 'GATEWAY_TLS_KEY_FILE',
    flag: 'tls-key-file',
    description: "PEM private key of GATEWAY_TLS_CERT_FILE's certificate.",
  })
  @IsString()
  tlsKeyFile = '';

  @Setting({
    env: 'GATEWAY_TLS_CA_FILE',
    flag: 'tls-ca-file',
    description:
      "PEM CA certificate whose public key agents pin (GATEWAY_TLS_CERT_FILE's chain must lead to it). Empty: the chain's last certificate.",
  })
  @IsString()
  tlsCaFile = '';

  @Setting({
    env: 'GATEWAY_ADMIN_TOKEN',
    flag: 'admin-token',
    description:
      'Bearer token every HTTP route and gRPC method not marked public requires (at least 16 characters; e.g. from a Kubernetes Secret). Empty: one generated on first start, kept in <data-dir>/admin-token (mode 0600; never logged).',
  })
  @ValidateIf((settings: GatewaySettings) => settings.adminToken !== '')
  @MinLength(16, { message: 'must be empty or at least 16 characters' })
  adminToken = '';

  @DurationSetting(
    {
      env: 'GATEWAY_HANDSHAKE_TIMEOUT',
      flag: 'handshake-timeout',
      description:
        'A session stream that has not proved its cluster key within this long is closed (DEADLINE_EXCEEDED).',
    },
    { positive: true },
  )
  handshakeTimeout = '10s';

  @IntegerSetting(
    {
      env: 'GATEWAY_MAX_PENDING_HANDSHAKES',
      flag: 'max-pending-handshakes',
      description:
        'Most session streams not yet authenticated at once; more are refused with RESOURCE_EXHAUSTED (agents retry).',
    },
    1,
    1_000_000,
  )
  maxPendingHandshakes = 1_000;

  @IntegerSetting(
    {
      env: 'GATEWAY_MAX_PENDING_HANDSHAKES_PER_ADDRESS',
      flag: 'max-pending-handshakes-per-address',
      description: 'As GATEWAY_MAX_PENDING_HANDSHAKES, from one source IP address.',
    },
    1,
    1_000_000,
  )
  maxPendingHandshakesPerAddress = 100;

  @IntegerSetting(
    {
      env: 'GATEWAY_MAX_JOINS_PER_MINUTE',
      flag: 'max-joins-per-minute',
      description: 'Most Join attempts per minute; more are refused with RESOURCE_EXHAUSTED (agents retry).',
    },
    1,
    1_000_000,
  )
  maxJoinsPerMinute = 600;

  @IntegerSetting(
    {
      env: 'GATEWAY_MAX_JOINS_PER_MINUTE_PER_ADDRESS',
      flag: 'max-joins-per-minute-per-address',
      description: 'As GATEWAY_MAX_JOINS_PER_MINUTE, from one source IP address.',
    },
    1,
    1_000_000,
  )
  maxJoinsPerMinutePerAddress = 60;

  /**
   * The address agents dial, for the join command (the installer template's Address and Port):
   * the advertised address, else the bound host (this host's name when bound
   * to every interface) and the gRPC port (the one bound, once listening).
   */
  get agentAddress(): string {
    return this.advertisedAddress || hostPort(isWildcardAddress(this.host) ? hostname() : this.host, this.grpcPort);
  }
}

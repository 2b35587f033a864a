import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsIP, IsNotEmpty, IsString, Matches, MinLength, ValidateIf } from 'class-validator';
import { PIN_PATTERN } from '@app/cluster-auth';
import { NotificationLimitSettings } from '@app/notification-model';
import { IntegerSetting, PortSetting, Setting } from '@app/runtime';
import { DURABILITIES, type Durability } from './queue-durability.js';

/** Every setting of the agent; see the README's settings table. */
export class AgentSettings extends NotificationLimitSettings {
  @Setting({
    env: 'AGENT_HOST',
    flag: 'host',
    description: 'IP address the local gRPC and HTTP servers bind to (in-cluster apps call Notify here).',
  })
  @IsIP()
  host = '0.0.0.0';

  @PortSetting({
    env: 'AGENT_GRPC_PORT',
    flag: 'grpc-port',
    description:
      'Local gRPC port: NotificationService, capability Node, control Health, grpc.health.v1 (0 picks a free port).',
  })
  grpcPort = 9190;

  @PortSetting({
    env: 'AGENT_HTTP_PORT',
    flag: 'http-port',
    description:
      'HTTP port: /healthz, /metrics (Prometheus), /api/v1/queue (needs the admin token) (0 picks a free port).',
  })
  httpPort = 9191;

  @Setting({
    env: 'AGENT_DATA_DIR',
    flag: 'data-dir',
    description: 'Directory for the durable queue; created if missing.',
  })
  @IsString()
  @IsNotEmpty()
  dataDir = './data/agent';

  @Setting({
    env: 'AGENT_QUEUE_DURABILITY',
    flag: 'queue-durability',
    description:
      '`fsync`: Notify answers OK once the notification is fsynced (survives power loss); `os`: once written to the OS (survives an agent crash).',
  })
  @IsIn(DURABILITIES)
  queueDurability: Durability = 'fsync';

  @IntegerSetting(
    {
      env: 'AGENT_QUEUE_MAX_COUNT',
      flag: 'queue-max-count',
      description: 'Most notifications queued; beyond it the least important, oldest first, are evicted.',
    },
    1,
    50_000_000,
  )
  queueMaxCount = 1_000_000;

  @IntegerSetting(
    {
      env: 'AGENT_QUEUE_MAX_BYTES',
      flag: 'queue-max-bytes',
      description:
        'Most payload bytes queued (protobuf size); beyond it the least important, oldest first, are evicted.',
    },
    1024,
    Number.MAX_SAFE_INTEGER,
  )
  queueMaxBytes = 1024 ** 3;

  @Setting({
    env: 'AGENT_GATEWAY_ADDRESS',
    flag: 'gateway-address',
    description:
      "The gateway's gRPC address (host:port). The agent dials out to it and keeps one session; it never listens for the gateway.",
  })
  @IsString()
  @IsNotEmpty()
  gatewayAddress = '127.0.0.1:9090';

  @Setting({
    env: 'AGENT_CLUSTER_ID',
    flag: 'cluster-id',
    description:
      'The stable id of the cluster this agent speaks for, registered when it joins (in Kubernetes the kube-system namespace UID; 1 to 128 letters, digits, ".", "_", "-").',
  })
  @Matches(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/, {
    message: 'must be 1 to 128 letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
  })
  clusterId = 'local';

  @IntegerSetting(
    {
      env: 'AGENT_PUSH_WINDOW',
      flag: 'push-window',
      description: 'Most notifications pushed to the gateway and not yet resolved at once.',
    },
    1,
    100_000,
  )
  pushWindow = 512;

  @IntegerSetting(
    {
      env: 'AGENT_RECONNECT_MAX_DELAY_MS',
      flag: 'reconnect-max-delay-ms',
      description:
        'Longest wait between attempts to reach the gateway (ms); the wait starts at 250 ms, doubles per failed attempt up to this, with jitter.',
    },
    100,
    3_600_000,
  )
  reconnectMaxDelayMs = 30_000;

  @Setting({
    env: 'AGENT_JOIN_TOKEN',
    flag: 'join-token',
    description:
      'Bootstrap token ("<id>.<secret>", from the gateway\'s token API) the agent joins with once; not needed after (the keyring in the data directory holds the cluster key).',
  })
  @ValidateIf((settings: AgentSettings) => settings.joinToken !== '')
  @Matches(/^[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/, {
    message: 'must be empty or a token as the gateway printed it: <id>.<secret>',
  })
  joinToken = '';

  @Setting({
    env: 'AGENT_GATEWAY_PIN',
    flag: 'gateway-pin',
    description:
      "Pin of the gateway's public key (sha256:<hex>, printed by the gateway and its token API); the agent refuses a gateway that does not match. Needed to join.",
  })
  @ValidateIf((settings: AgentSettings) => settings.gatewayPin !== '')
  @Matches(PIN_PATTERN, { message: 'must be empty or sha256: followed by 64 lowercase hex digits' })
  gatewayPin = '';

  @Setting({
    env: 'AGENT_ADMIN_TOKEN',
    flag: 'admin-token',
    description:
      "Bearer token the agent's queue API (/api/v1/queue) and capability Node require (at least 16 characters; e.g. from a Kubernetes Secret). Empty: one generated on first start, kept in <data-dir>/admin-token (mode 0600).",
  })
  @ValidateIf((settings: AgentSettings) => settings.adminToken !== '')
  @MinLength(16, { message: 'must be empty or at least 16 characters' })
  adminToken = '';

  @Setting({
    env: 'AGENT_TLS_CERT_FILE',
    flag: 'tls-cert-file',
    description:
      'PEM certificate (with its chain) the local gRPC port (Notify, Node, Health) serves TLS with; with AGENT_TLS_KEY_FILE. Empty: plain text, for callers inside the pod network.',
  })
  @IsString()
  tlsCertFile = '';

  @Setting({
    env: 'AGENT_TLS_KEY_FILE',
    flag: 'tls-key-file',
    description: "PEM private key of AGENT_TLS_CERT_FILE's certificate.",
  })
  @IsString()
  @ValidateIf((settings: AgentSettings) => settings.tlsKeyFile !== '' || settings.tlsCertFile !== '')
  @IsNotEmpty({ message: 'must be set with AGENT_TLS_CERT_FILE' })
  tlsKeyFile = '';
  // ---- Kubernetes event source (sources/kube-events) ----

  @Setting({
    env: 'AGENT_KUBE_EVENTS',
    flag: 'kube-events',
    description:
      "`true`: turn the cluster's Kubernetes events into notifications (needs get, list and watch on events; the agent chart grants them: deploy/helm/downstream-alerting-agent).",
  })
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  kubeEvents = false;

  @Setting({
    env: 'AGENT_KUBE_EVENTS_NAMESPACES',
    flag: 'kube-events-namespaces',
    description: 'Comma-separated namespaces whose events are watched; empty: every namespace.',
  })
  @Matches(/^$|^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(,[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, {
    message: 'must be empty or comma-separated namespace names (lowercase letters, digits, "-")',
  })
  kubeEventsNamespaces = '';

  @Setting({
    env: 'AGENT_KUBE_EVENTS_MIN_TYPE',
    flag: 'kube-events-min-type',
    description: '`Normal`: every event; `Warning`: Warning events only (Normal ones are dropped and counted).',
  })
  @IsIn(['Normal', 'Warning'])
  kubeEventsMinType: 'Normal' | 'Warning' = 'Normal';

  @Setting({
    env: 'AGENT_KUBE_EVENTS_RULES_FILE',
    flag: 'kube-events-rules-file',
    description:
      'YAML or JSON rules that raise or lower severity and drop events (checked at start); empty: the shipped defaults.',
  })
  @IsString()
  kubeEventsRulesFile = '';

  @Setting({
    env: 'AGENT_KUBECONFIG',
    flag: 'kubeconfig',
    description:
      "kubeconfig file to reach the Kubernetes API from outside a cluster; empty: the pod's service account (in-cluster).",
  })
  @IsString()
  kubeconfig = '';
}

// Public API of @app/testing: helpers for specs and e2e tests. Never imported
// by production code.
export { waitFor, type WaitForOptions } from './wait-for.js';
export { thrownBy } from './thrown-error.js';
export {
  spawnApp,
  runApp,
  builtEntry,
  UNREACHABLE_GATEWAY,
  type AppName,
  type SpawnedApp,
  type SpawnOptions,
  type LogLine,
  type Exit,
} from './spawn-app.js';
export { checkGrpcHealth } from './grpc-health.js';
export { describeServiceProcess, type ServiceProcessContract } from './service-process.contract.js';
export { repoRoot, docSection } from './repo-root.js';
export {
  fetchAgentQueue,
  fetchAgentQueueCount,
  drainOrderViolation,
  AGENT_QUEUE_MAX_LIMIT,
  type AgentQueueEntry,
  type AgentQueueListing,
} from './agent-queue.js';
export { parsePrometheusText, scrapeMetrics, type PrometheusSample, type MetricsScrape } from './prometheus.js';
export { captureNestLogs, capturingLogger, type LoggedLine } from './nest-logs.js';
export { seededRandom, seedFromEnv, type SeededRandom } from './seeded-random.js';
export { startTcpProxy, freePort, type TcpProxy } from './tcp-proxy.js';
export { fetchGatewayNotifications, type GatewayNotification } from './gateway-notifications.js';
export { WebhookServer, type ReceivedRequest, type Responder } from './webhook-server.js';
export { gatewayAdmin, installAlerting, joinArgs, type AdminResponse } from './gateway-admin.js';
export {
  notifyAll,
  exactlyOnceReport,
  withNotifyClient,
  interleavedSeverities,
  SEVERITIES,
  type NotifyClient,
} from './notify-all.js';
export { appsStoppedAfterEach, type AppsUnderTest } from './apps-under-test.js';
export {
  readGatewaySecrets,
  readAgentAdminToken,
  rememberAdminToken,
  adminHeaders,
  type GatewaySecrets,
} from './gateway-secrets.js';
export { gatewayClient, gatewayCredentials, gatewayTls, bearerMetadata } from './gateway-client.js';
export {
  routeInventory,
  inventoryProblems,
  RUNTIME_PUBLIC,
  concretePath,
  rawHttp,
  otherSpellings,
  unguardedSpellings,
  type Inventory,
  type InventoryEntry,
} from './route-inventory.js';
export { RawSession, joinRaw, authenticateSession, createBootstrapToken } from './raw-session.js';
export {
  opniWireTable,
  opniRevision,
  OPNI_WIRE_TABLE,
  type OpniWireTable,
  type OpniRevision,
  type WireDefinition,
  type WireMessage,
  type WireEnum,
  type WireService,
  type WireField,
  type WireType,
} from './opni-wire/wire-table.js';
export { ourWireDefinitions } from './opni-wire/our-descriptors.js';
export { compareWithOpni, type DeliberateDifference } from './opni-wire/wire-contract.js';
export { opniRoot, plain, OpniClient, type OpniAnswer } from './opni-wire/opni-codecs.js';
export {
  AlertmanagerProcess,
  ALERTMANAGER_BIN,
  webhookRouteConfig,
  type AlertmanagerConfig,
  type AlertmanagerAlertJson,
} from './alertmanager.js';
export { FakeKubeApi, type FakeKubeApiOptions, type KubeApiRequest } from './fake-kube-api/fake-kube-api.js';
export {
  newEvent,
  microTime,
  type EventSpec,
  type EventsV1Event,
  type ObjectReference,
} from './fake-kube-api/event-objects.js';
export { openGatewayFeed, type GatewayFeed } from './gateway-feed.js';
export { readSseBlocks } from './sse-blocks.js';
export * from './postgres/index.js';
export {
  gatewayStorageEnv,
  spawnedGatewayStorage,
  TEST_GATEWAY_POSTGRES_TEMPLATE,
  TEST_GATEWAY_POSTGRES_URL,
} from './gateway-storage.js';
export { spawnGatewayReplicas } from './gateway-replicas.js';
export { startTcpBalancer, type TcpBalancer } from './tcp-balancer.js';

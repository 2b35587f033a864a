// Public API of @app/runtime: what every process of ours needs to start,
// configure itself, log, and serve gRPC.
export { Setting, declaredSettings, type SettingSpec } from './settings/setting.decorator.js';
export { PortSetting } from './settings/port-setting.decorator.js';
export { IntegerSetting } from './settings/integer-setting.decorator.js';
export { loadSettings, settingsTable, SettingsError } from './settings/load-settings.js';
export { CheckedSetting, type SettingChecks } from './settings/checked-setting.decorator.js';
export { GrpcServer, FLOW_CONTROL_WINDOW, type GrpcServerOptions } from './grpc/grpc-server.js';
export { backoffDelay, packageVersion, type BackoffPolicy } from '@app/client-runtime';
export { createUnaryClient, type UnaryClient } from '@app/proto';
export {
  loggerOptions,
  LOG_DETAILS,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogDetail,
  type LogFormat,
  type LogLevel,
} from './logging/logger-options.js';
export { LoggingSettings } from './logging/logging-settings.js';
export {
  startService,
  strictHttpAdapter,
  loadSettingsOrExit,
  type ServiceSettings,
  type ServiceSpec,
  type RunningService,
} from './bootstrap/start-service.js';
export { hostPort, isWildcardAddress } from './net/host-port.js';
export { HealthzModule } from './health/healthz.module.js';
export { AccessModule } from './access/access.module.js';
export { AdminTokenGuard, ADMIN_TOKEN } from './access/admin-token.guard.js';
export { loadAdminToken, type AdminToken } from './access/admin-token.js';
export { Public, OwnCredential, routeAccess, ROUTE_ACCESS, type RouteAccess } from './access/route-access.decorator.js';
export {
  AppError,
  InvalidArgumentError,
  NotFoundError,
  AlreadyExistsError,
  UnauthenticatedError,
  FailedPreconditionError,
  ResourceExhaustedError,
  UnavailableError,
  ERROR_STATUS,
  type ErrorKind,
} from './errors/app-error.js';
export { AppErrorFilter } from './errors/app-error.filter.js';
export { CLOCK, systemClock, type Clock } from './clock/clock.js';
export { MetricsModule } from './metrics/metrics.module.js';
export { openVersionedSqlite, type VersionedSqliteSpec } from './sqlite/open-versioned-sqlite.js';
export { parseDuration, DURATION_PATTERN, DURATION_RULE, MAX_DURATION_MS } from './duration/duration.js';
export { writeFileAtomically } from './files/write-file-atomically.js';
export { encodeJsonRecord, decodeJsonRecord, jsonRecordTable, type JsonRecordTable } from './sqlite/json-record.js';
export { startWorker } from './sqlite/start-worker.js';
export { WalSync, type WalSyncOptions } from './sqlite/wal-sync.js';
export { SqliteWriterThread, type Committer, type WriterThreadSpec } from './sqlite/sqlite-writer-thread.js';

import type { AlertmanagerTargetJson } from '@app/admin-api';
import { redactUrl } from '../webhook/receiver-view.js';
import type { AlertmanagerStatus } from '../receivers.service.js';

/** Seconds since the oldest notification not yet done with was received; 0 when caught up. */
export function lagSeconds(status: AlertmanagerStatus, now: number): number {
  return status.pendingSince ? Math.max(0, (now - status.pendingSince.getTime()) / 1000) : 0;
}

/** The JSON of one Alertmanager target in GET /api/v1/alertmanagers. Credentials are never shown. */
export function alertmanagerView(status: AlertmanagerStatus, now: number): AlertmanagerTargetJson {
  const { config, progress, lastError, lastDeadLetter, counts } = status;
  return {
    name: config.name,
    peers: status.peers.map((peer) => ({
      url: redactUrl(peer.url),
      up: peer.up ?? null,
      lastSuccessAt: peer.lastSuccessAt?.toISOString() ?? null,
      lastError: peer.lastError
        ? {
            message: peer.lastError.message,
            statusCode: peer.lastError.statusCode ?? null,
            at: peer.lastError.at.toISOString(),
          }
        : null,
    })),
    externalUrl: config.externalUrl ? redactUrl(config.externalUrl) : null,
    auth: config.bearerToken ? 'bearer' : config.basicAuth ? 'basic' : 'none',
    tlsCaFile: config.tlsCaFile ?? null,
    filters: { minSeverity: config.minSeverity, clusters: config.clusters },
    cursor: String(progress.cursor),
    backlog: Number(status.backlog),
    lagSeconds: lagSeconds(status, now),
    state: status.state,
    consecutiveFailures: status.consecutiveFailures,
    lastSuccessAt: progress.lastSuccessAt?.toISOString() ?? null,
    lastError: lastError
      ? { message: lastError.message, statusCode: lastError.statusCode ?? null, at: lastError.at.toISOString() }
      : null,
    delivered: progress.delivered,
    deadLettered: progress.deadLettered,
    /** Since the gateway started. */
    expired: counts.expired,
    retried: counts.retries,
    lastDeadLetter: lastDeadLetter
      ? {
          notifications: lastDeadLetter.notifications,
          statusCode: lastDeadLetter.status ?? null,
          error: lastDeadLetter.error,
          at: lastDeadLetter.at.toISOString(),
        }
      : null,
    settings: {
      batchSize: config.batchSize,
      readAheadBatches: config.readAheadBatches,
      maxAlertsPerSecond: config.maxAlertsPerSecond,
      maxInFlight: config.maxInFlight,
      progressIntervalMs: config.progressIntervalMs,
      lifetimeMs: config.lifetimeMs,
      timeoutMs: config.timeoutMs,
      backoffInitialMs: config.backoffInitialMs,
      backoffMaxMs: config.backoffMaxMs,
      maxAttempts: config.maxAttempts,
      pollIntervalMs: config.pollIntervalMs,
      from: config.from,
    },
  };
}

export type AlertmanagerView = AlertmanagerTargetJson;

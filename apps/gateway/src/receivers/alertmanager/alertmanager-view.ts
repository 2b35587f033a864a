import type { AlertmanagerTargetJson } from '@app/admin-api';
import { deliveryOutcomeView, errorView, redactUrl } from '../delivery/delivery-view.js';
import type { AlertmanagerStatus } from '../receivers.service.js';

/** Seconds since the oldest notification not yet done with was received; 0 when caught up. */
export function lagSeconds(status: AlertmanagerStatus, now: number): number {
  return status.pendingSince ? Math.max(0, (now - status.pendingSince.getTime()) / 1000) : 0;
}

/** The JSON of one Alertmanager target in GET /api/v1/alertmanagers. Credentials are never shown. */
export function alertmanagerView(status: AlertmanagerStatus, now: number): AlertmanagerTargetJson {
  const { config, progress, lastFailedDelivery: failed, counts } = status;
  return {
    name: config.name,
    peers: status.peers.map((peer) => ({
      url: redactUrl(peer.url),
      up: peer.up ?? null,
      lastSuccessAt: peer.lastSuccessAt?.toISOString() ?? null,
      lastError: errorView(peer.lastError),
    })),
    externalUrl: config.externalUrl ? redactUrl(config.externalUrl) : null,
    auth: config.bearerToken ? 'bearer' : config.basicAuth ? 'basic' : 'none',
    tlsCaFile: config.tlsCaFile ?? null,
    filters: { minSeverity: config.minSeverity, clusters: config.clusters },
    cursor: String(progress.cursor),
    backlog: Number(status.backlog),
    lagSeconds: lagSeconds(status, now),
    ...deliveryOutcomeView(status),
    /** Since the gateway started. */
    expired: counts.expired,
    retried: counts.retries,
    // The last failed delivery, under its JSON name.
    lastDeadLetter: failed
      ? {
          notifications: failed.notifications,
          statusCode: failed.status ?? null,
          error: failed.error,
          at: failed.at.toISOString(),
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

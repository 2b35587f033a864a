import type { DeliveryTargetConfig } from './delivery-target-config.js';

/** What a target may declare beyond the common fields (Alertmanager targets do). */
export interface DeliveryExtras {
  /** Notifications older than this (received time) are expired, not sent; unset: never. */
  lifetimeMs?: number;
  /** Bound on notifications per second while catching up; 0 or unset: none. */
  maxAlertsPerSecond?: number;
  /** Read this many batches ahead and send them most important first; unset: 1 (store order). */
  readAheadBatches?: number;
  /** Batches awaiting their answer at once; unset: 1. While a batch is failing, no other one starts. */
  maxInFlight?: number;
  /**
   * While batches keep completing, the cursor is saved at most this often (and
   * always once caught up, and on stop); unset or 0: after every read window.
   * A crash sends again what completed since the last save.
   */
  progressIntervalMs?: number;
}
export type DeliveryConfig = DeliveryTargetConfig & DeliveryExtras;

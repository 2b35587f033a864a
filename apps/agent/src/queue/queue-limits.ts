/** Bounds of the agent queue; beyond them it evicts or rejects (see NotificationQueue.admit). */
export interface QueueLimits {
  maxCount: number;
  maxBytes: number;
}

/** Token for the QueueLimits the queue runs with. */
export const QUEUE_LIMITS = Symbol('QueueLimits');

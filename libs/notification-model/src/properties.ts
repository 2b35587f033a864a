/** Property keys with a meaning to the system (the original system's names, plus occurrences). */
export const NotificationProperty = {
  /** The notification's id: the agent's queue id, which Resolve names back. */
  uuid: 'opni_uuid',
  /** Info | Warning | Error | Critical; Info when absent. */
  severity: 'opni_severity',
  /** Custom | Errors | Saturation | Traffic | Latency; Custom when absent. */
  goldenSignal: 'opni_goldenSignal',
  /** Notifications with the same key coalesce while the first is still queued at the agent. */
  dedupeKey: 'opni_dedupe_key',
  groupKey: 'opni_group_key',
  /** Set by the gateway from the authenticated cluster; never trusted from the payload. */
  clusterId: 'opni_clusterId',
  /** How many notifications were coalesced into this one (decimal string, ≥ 1). */
  occurrences: 'opni_occurrences',
} as const;

/** The name of the capability that carries notifications from agents to the gateway. */
export const ALERTING_CAPABILITY = 'alerting';

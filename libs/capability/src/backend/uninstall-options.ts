import { InvalidArgumentError, parseDuration, DURATION_RULE, MAX_DURATION_MS } from '@app/runtime';

/** What an uninstall was asked to do: capability.UninstallRequest.options, checked. */
export interface UninstallOptions {
  /** Also delete what the capability stored for the cluster (at the gateway and at the agent). */
  deleteStoredData: boolean;
  /** How long the task stays Pending (cancelable) before it starts removing anything. */
  initialDelayMs: number;
}

const KNOWN_OPTIONS = new Set(['deleteStoredData', 'initialDelay']);

/**
 * Reads UninstallRequest.options (a Struct): `deleteStoredData` (bool) and
 * `initialDelay` (a duration such as "30s", or a number of seconds). Anything
 * else is an InvalidArgumentError naming the option: a typo must not silently
 * keep data the operator meant to delete.
 */
export function parseUninstallOptions(options: Record<string, unknown> | undefined): UninstallOptions {
  const given = options ?? {};
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new InvalidArgumentError(`options.${key}`, 'unknown option (known: deleteStoredData, initialDelay)');
    }
  }
  const { deleteStoredData = false, initialDelay = 0 } = given;
  if (typeof deleteStoredData !== 'boolean') {
    throw new InvalidArgumentError('options.deleteStoredData', 'must be true or false');
  }
  let initialDelayMs: number | undefined;
  if (typeof initialDelay === 'number') {
    const ms = Math.round(initialDelay * 1000);
    initialDelayMs = Number.isFinite(initialDelay) && ms >= 0 && ms <= MAX_DURATION_MS ? ms : undefined;
  } else if (typeof initialDelay === 'string') {
    initialDelayMs = parseDuration(initialDelay);
  }
  if (initialDelayMs === undefined) {
    throw new InvalidArgumentError('options.initialDelay', `must be a number of seconds >= 0 or ${DURATION_RULE}`);
  }
  return { deleteStoredData, initialDelayMs };
}

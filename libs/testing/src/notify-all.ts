import { createUnaryClient, type UnaryClient } from '@app/runtime';

export type NotifyClient = UnaryClient<'alerting.NotificationService'>;

/** The severities in rising order, as the CLI and the API name them. */
export const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;

/** `<prefix>-0` … `<prefix>-<count - 1>`, their severities taking turns (Info, Warning, Error, Critical, Info, …). */
export function interleavedSeverities(prefix: string, count: number): { id: string; severity: string }[] {
  return Array.from({ length: count }, (_, n) => ({ id: `${prefix}-${n}`, severity: SEVERITIES[n % 4] }));
}

/** Calls `use` with a Notify client of the agent at `agentGrpcAddress`, and closes it afterwards. */
export async function withNotifyClient<T>(
  agentGrpcAddress: string,
  use: (client: NotifyClient) => Promise<T>,
): Promise<T> {
  const client: NotifyClient = createUnaryClient('alerting.NotificationService', agentGrpcAddress);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

/**
 * Calls the agent's Notify for each (id, severity), up to 32 calls in flight
 * like many applications at once; resolves when every call was acknowledged.
 * Titles and bodies name the id; every notification carries team=e2e.
 */
export async function notifyAll(
  agentGrpcAddress: string,
  notifications: { id: string; severity: string }[],
): Promise<void> {
  const client = createUnaryClient('alerting.NotificationService', agentGrpcAddress);
  try {
    const pending = new Set<Promise<unknown>>();
    for (const { id, severity } of notifications) {
      const call = client.notify({
        id,
        message: { title: `title ${id}`, body: `body of ${id}`, properties: { opni_severity: severity, team: 'e2e' } },
      });
      pending.add(call);
      void call.finally(() => pending.delete(call));
      if (pending.size >= 32) await Promise.race(pending);
    }
    await Promise.all(pending);
  } finally {
    client.close();
  }
}

/** Ids listed more than once, expected but missing, and listed but not expected (the first 20 of each). */
export function exactlyOnceReport(
  listed: { id: string }[],
  expected: string[],
): { duplicated: string[]; missing: string[]; unexpected: string[] } {
  const ids = listed.map((n) => n.id);
  const duplicated = ids.filter((id, i) => ids.indexOf(id) !== i);
  const present = new Set(ids);
  const wanted = new Set(expected);
  return {
    duplicated: duplicated.slice(0, 20),
    missing: expected.filter((id) => !present.has(id)).slice(0, 20),
    unexpected: ids.filter((id) => !wanted.has(id)).slice(0, 20),
  };
}

import { createUnaryClient } from '@app/runtime';

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

import { waitFor } from './wait-for.js';

export interface AdminResponse<T = unknown> {
  status: number;
  body: T;
}

/** One call of the gateway's admin HTTP API; the body parsed as JSON (or the text when it is not JSON). */
export async function gatewayAdmin<T = unknown>(
  httpAddress: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<AdminResponse<T>> {
  const response = await fetch(`http://${httpAddress}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T };
}

/**
 * Installs alerting for a cluster through the admin API once its agent has
 * registered it (connected at least once), and checks the answer was Success
 * (the agent synced). The agent then starts pushing.
 */
export async function installAlerting(httpAddress: string, clusterId: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await gatewayAdmin(httpAddress, 'GET', `/api/v1/clusters/${clusterId}`)).status === 200, {
    timeoutMs,
    description: `cluster ${clusterId} to be registered at the gateway`,
  });
  const installed = await gatewayAdmin<{ status: string; message: string }>(
    httpAddress,
    'POST',
    `/api/v1/clusters/${clusterId}/capabilities/alerting/install`,
  );
  if (installed.status !== 200 || installed.body.status !== 'Success') {
    throw new Error(`installing alerting for ${clusterId}: HTTP ${installed.status} ${JSON.stringify(installed.body)}`);
  }
}

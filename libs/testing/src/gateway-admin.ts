import { adminHeaders } from './gateway-secrets.js';
import { waitFor } from './wait-for.js';

export interface AdminResponse<T = unknown> {
  status: number;
  body: T;
}

/**
 * One call of the gateway's admin HTTP API, with the admin token of a gateway
 * the tests started; the body parsed as JSON (or the text when it is not JSON).
 */
export async function gatewayAdmin<T = unknown>(
  httpAddress: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<AdminResponse<T>> {
  const response = await fetch(`http://${httpAddress}${path}`, {
    method,
    headers: { ...adminHeaders(httpAddress), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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
 * joined and is connected, and checks the answer was Success (the agent
 * synced). The agent then starts pushing.
 */
export async function installAlerting(httpAddress: string, clusterId: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const cluster = await gatewayAdmin<{ connected?: boolean }>(httpAddress, 'GET', `/api/v1/clusters/${clusterId}`);
      return cluster.status === 200 && cluster.body.connected === true;
    },
    { timeoutMs, description: `cluster ${clusterId} to be joined and connected at the gateway` },
  );
  const installed = await gatewayAdmin<{ status: string; message: string }>(
    httpAddress,
    'POST',
    `/api/v1/clusters/${clusterId}/capabilities/alerting/install`,
  );
  if (installed.status !== 200 || installed.body.status !== 'Success') {
    throw new Error(`installing alerting for ${clusterId}: HTTP ${installed.status} ${JSON.stringify(installed.body)}`);
  }
}

/**
 * Flags that let an agent join the gateway as `clusterId`: a fresh one-use
 * bootstrap token, the gateway's pin and its address (or `address`, e.g. a
 * proxy in front of it).
 */
export async function joinArgs(
  gateway: { httpAddress: string; grpcAddress: string },
  clusterId: string,
  { address = gateway.grpcAddress, labels = {} }: { address?: string; labels?: Record<string, string> } = {},
): Promise<string[]> {
  const created = await gatewayAdmin<{ token: string; pin: string }>(gateway.httpAddress, 'POST', '/api/v1/tokens', {
    labels,
  });
  if (created.status !== 201 && created.status !== 200) {
    throw new Error(`creating a bootstrap token: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  }
  return [
    '--gateway-address',
    address,
    '--cluster-id',
    clusterId,
    '--join-token',
    created.body.token,
    '--gateway-pin',
    created.body.pin,
  ];
}

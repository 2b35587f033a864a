import type { ServiceError } from '@grpc/grpc-js';
import type { alerting } from '@app/proto';
import { createUnaryClient, type UnaryClient } from '@app/runtime';
import { spawnApp, type SpawnedApp, type SpawnOptions } from '@app/testing';

// What the Notify e2e specs share: a Notify client with a deadline, requests, and the built agent per describe block.

export type Client = UnaryClient<'alerting.NotificationService'>;
export type Request = alerting.AgentNotification;

const CALL_DEADLINE_MS = 10_000;

export function note(overrides: Partial<alerting.Notification> = {}): alerting.Notification {
  return { title: 'Disk full', body: 'node-1: /var is 99% full', properties: {}, ...overrides };
}

export function notify(client: Client, request: Request): Promise<alerting.NotifyResponse> {
  return client.notify(request, { deadline: Date.now() + CALL_DEADLINE_MS });
}

/** The gRPC error `call` fails with; fails the test when it succeeds. */
export async function grpcError(call: Promise<unknown>): Promise<ServiceError> {
  try {
    const response = await call;
    throw new Error(`expected a gRPC error, got OK: ${JSON.stringify(response)}`);
  } catch (error) {
    if (!(error instanceof Error) || !('code' in error)) throw error;
    return error as ServiceError;
  }
}

function openClient(app: SpawnedApp): Client {
  return createUnaryClient('alerting.NotificationService', app.grpcAddress);
}

/**
 * Spawns the built agent (with `options`) before the calling describe block's
 * tests and kills it after them; `use` gets the agent and a Notify client on it.
 */
export function useSpawnedAgent(
  options: SpawnOptions | undefined,
  use: (app: SpawnedApp, client: Client) => void,
): void {
  let app: SpawnedApp | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    app = await spawnApp('agent', options);
    client = openClient(app);
    use(app, client);
  });
  afterAll(async () => {
    client?.close();
    await app?.stop('SIGKILL');
  });
}

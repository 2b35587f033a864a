import * as grpc from '@grpc/grpc-js';
import { deriveClusterKey, freshNonce, generateExchangeKeyPair, sessionProof } from '@app/cluster-auth';
import { serviceDefinitions, type session } from '@app/proto';
import { gatewayAdmin } from './gateway-admin.js';
import { gatewayClient, gatewayTls } from './gateway-client.js';
import type { SpawnedApp } from './spawn-app.js';
import { waitFor } from './wait-for.js';

const connect = serviceDefinitions['session.v1.AgentSessionService'].connect;

/** A bootstrap token created through the admin API (201 asserted), with its id and the gateway's pin. */
export async function createBootstrapToken(
  gateway: SpawnedApp,
  body: Record<string, unknown> = {},
): Promise<{ token: string; id: string; pin: string }> {
  const created = await gatewayAdmin<{ token: string; id: string; pin: string }>(
    gateway.httpAddress,
    'POST',
    '/api/v1/tokens',
    body,
  );
  if (created.status !== 201) throw new Error(`POST /api/v1/tokens: HTTP ${created.status}`);
  return created.body;
}

/** Joins as `clusterId` the way an agent does, keeping the key: the test then plays the agent's side of sessions. */
export async function joinRaw(gateway: SpawnedApp, clusterId: string): Promise<Buffer> {
  const { token } = await createBootstrapToken(gateway);
  const client = gatewayClient(gateway, 'bootstrap.v1.BootstrapService', { admin: false });
  try {
    const exchange = generateExchangeKeyPair();
    const response = await client.join({ token, clusterId, agentPublicKey: exchange.publicKey });
    return deriveClusterKey(exchange.privateKey, response.gatewayPublicKey, clusterId);
  } finally {
    client.close();
  }
}

/** One session stream as a test drives it, frame by frame (to a gateway directly, or to `address`, e.g. a proxy). */
export class RawSession {
  readonly frames: session.ConnectResponse['frame'][] = [];
  status?: grpc.StatusObject;
  /** How many frames next() has returned. */
  private read = 0;
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<session.ConnectRequest, session.ConnectResponse>;

  constructor(gateway: SpawnedApp, address = gateway.grpcAddress) {
    this.client = new grpc.Client(address, gatewayTls(gateway.gateway!));
    this.call = this.client.makeBidiStreamRequest(connect.path, connect.requestSerialize, connect.responseDeserialize);
    this.call.on('data', (response: session.ConnectResponse) => this.frames.push(response.frame));
    this.call.on('status', (status) => (this.status = status));
    this.call.on('error', () => undefined); // read through `status`
  }

  send(frame: session.ConnectRequest['frame']): void {
    this.call.write({ frame });
  }

  /** The next frame not yet returned (one that already arrived, or the next to arrive). */
  async next(): Promise<NonNullable<session.ConnectResponse['frame']>> {
    const index = this.read++;
    await waitFor(() => this.frames.length > index || this.status !== undefined, { description: 'a frame or the end' });
    if (this.frames.length <= index) throw new Error(`session ended: ${this.status?.code} ${this.status?.details}`);
    return this.frames[index]!;
  }

  async ended(timeoutMs?: number): Promise<{ code: string; details: string }> {
    await waitFor(() => this.status, { description: 'the session to end', timeoutMs });
    return { code: grpc.status[this.status!.code], details: this.status!.details };
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

/** Hello → Challenge → Proof with `key`; returns the session and what was sent, for replays. */
export async function authenticateSession(gateway: SpawnedApp, clusterId: string, key: Buffer, address?: string) {
  const raw = new RawSession(gateway, address);
  const hello = { clusterId, agentVersion: 'test', nonce: freshNonce() };
  raw.send({ $case: 'hello', value: hello });
  const challenge = await raw.next();
  if (challenge.$case !== 'challenge') throw new Error(`expected a challenge, got ${challenge.$case}`);
  const proof = { mac: sessionProof(key, 'agent', clusterId, hello.nonce, challenge.value.nonce) };
  raw.send({ $case: 'proof', value: proof });
  return { raw, hello, proof, gatewayNonce: challenge.value.nonce };
}

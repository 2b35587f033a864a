import * as grpc from '@grpc/grpc-js';
import { serviceDefinitions, type alerting } from '@app/proto';
import { NotifierClient } from './notifier-client.js';
import {
  AgentQueueFullError,
  AgentUnreachableError,
  InvalidNotificationError,
  NotifyFailedError,
} from './notifier-errors.js';
import type { NotifierOptions, NotifyRetry } from './notifier-options.js';

type Answer = alerting.NotifyResponse | { code: grpc.status; details: string } | 'silence';

/** An in-process NotificationService that answers each call with the next scripted answer (the last one repeats). */
class ScriptedAgent {
  readonly requests: alerting.AgentNotification[] = [];
  readonly peers: string[] = [];
  private readonly server = new grpc.Server();
  address = '';

  constructor(private readonly answers: Answer[]) {}

  async start(): Promise<this> {
    this.server.addService(serviceDefinitions['alerting.NotificationService'] as unknown as grpc.ServiceDefinition, {
      notify: (
        call: grpc.ServerUnaryCall<alerting.AgentNotification, alerting.NotifyResponse>,
        callback: grpc.sendUnaryData<alerting.NotifyResponse>,
      ) => {
        this.requests.push(call.request);
        this.peers.push(call.getPeer());
        const answer = this.answers[Math.min(this.requests.length, this.answers.length) - 1];
        if (answer === 'silence') return;
        if ('code' in answer) callback({ code: answer.code, details: answer.details });
        else callback(null, answer);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.address = `127.0.0.1:${port}`;
    return this;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

const unavailable = { code: grpc.status.UNAVAILABLE, details: 'agent is restarting' };
const fastRetry = { initialMs: 5, maxMs: 20 };

describe('NotifierClient', () => {
  let agent: ScriptedAgent;
  let client: NotifierClient;

  async function start(answers: Answer[], options: Omit<NotifierOptions, 'agentAddress'> = {}): Promise<void> {
    agent = await new ScriptedAgent(answers).start();
    client = new NotifierClient({ agentAddress: agent.address, ...options });
  }

  afterEach(() => {
    client?.close();
    agent?.stop();
  });

  it('sends title, body and the well-known properties under a generated UUIDv7, and returns the answer', async () => {
    await start([{ id: 'echo', coalesced: false }]);
    const result = await client.notify({
      title: 'Disk full',
      body: '/var at 99%',
      severity: 'Critical',
      goldenSignal: 'Saturation',
      dedupeKey: 'disk-/var',
      properties: { team: 'storage' },
    });
    expect(result).toEqual({ id: 'echo', coalesced: false, attempts: 1 });
    expect(agent.requests).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        message: {
          title: 'Disk full',
          body: '/var at 99%',
          properties: {
            team: 'storage',
            opni_severity: 'Critical',
            opni_goldenSignal: 'Saturation',
            opni_dedupe_key: 'disk-/var',
          },
        },
      },
    ]);
  });

  it("keeps the caller's id, and a new UUID for each notification without one", async () => {
    await start([{ id: 'x', coalesced: true }]);
    expect(await client.notify({ title: 't', body: 'b', id: 'job-42' })).toMatchObject({ coalesced: true });
    await client.notify({ title: 't', body: 'b' });
    await client.notify({ title: 't', body: 'b', id: '' });
    const ids = agent.requests.map((request) => request.id);
    expect(ids[0]).toBe('job-42');
    expect(new Set(ids).size).toBe(3);
  });

  it('uses one connection for every call', async () => {
    await start([{ id: 'x', coalesced: false }]);
    for (let i = 0; i < 3; i++) await client.notify({ title: 't', body: 'b' });
    expect(new Set(agent.peers).size).toBe(1);
  });

  it('retries UNAVAILABLE with the same id until the agent answers, telling onRetry each time', async () => {
    const retries: NotifyRetry[] = [];
    await start([unavailable, unavailable, { id: 'stored', coalesced: false }], {
      retry: fastRetry,
      onRetry: (retry) => retries.push(retry),
    });
    expect(await client.notify({ title: 't', body: 'b' })).toEqual({ id: 'stored', coalesced: false, attempts: 3 });
    expect(agent.requests).toHaveLength(3);
    const [id] = new Set(agent.requests.map((request) => request.id));
    expect(new Set(agent.requests.map((request) => request.id)).size).toBe(1);
    expect(retries).toEqual(
      [1, 2].map(() => ({ error: expect.any(AgentUnreachableError), delayMs: expect.any(Number) })),
    );
    expect(retries.map(({ error }) => [error.notificationId, error.attempts, error.code])).toEqual([
      [id, 1, grpc.status.UNAVAILABLE],
      [id, 2, grpc.status.UNAVAILABLE],
    ]);
    for (const { delayMs } of retries) expect(delayMs).toBeLessThanOrEqual(fastRetry.maxMs);
  });

  it('retries a call the agent did not answer in time (DEADLINE_EXCEEDED) with the same id', async () => {
    await start(['silence', { id: 'stored', coalesced: false }], { timeoutMs: 100, retry: fastRetry });
    expect(await client.notify({ title: 't', body: 'b', id: 'n-1' })).toEqual({
      id: 'stored',
      coalesced: false,
      attempts: 2,
    });
    expect(agent.requests.map((request) => request.id)).toEqual(['n-1', 'n-1']);
  });

  it('gives up after maxAttempts with AgentUnreachableError naming the id', async () => {
    await start([unavailable], { retry: { ...fastRetry, maxAttempts: 4 } });
    const error = await client.notify({ title: 't', body: 'b', id: 'n-2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentUnreachableError);
    expect(error).toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: 'agent is restarting',
      notificationId: 'n-2',
      attempts: 4,
      message: 'UNAVAILABLE: agent is restarting',
    });
    expect(agent.requests).toHaveLength(4);
  });

  it('gives up once maxElapsedMs has passed, cutting the last call short', async () => {
    await start(['silence'], { timeoutMs: 60_000, retry: { ...fastRetry, maxAttempts: Infinity, maxElapsedMs: 300 } });
    const started = Date.now();
    const error = await client.notify({ title: 't', body: 'b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentUnreachableError);
    expect(error).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED, attempts: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not retry INVALID_ARGUMENT: InvalidNotificationError with the field the agent named', async () => {
    const details = 'message.properties["opni_severity"]: "bad" is not a severity; use one of Info, Warning';
    await start([{ code: grpc.status.INVALID_ARGUMENT, details }], { retry: fastRetry });
    const error = await client.notify({ title: 't', body: 'b', id: 'n-3' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidNotificationError);
    expect(error).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details,
      field: 'message.properties["opni_severity"]',
      reason: '"bad" is not a severity; use one of Info, Warning',
      notificationId: 'n-3',
      attempts: 1,
    });
    expect(agent.requests).toHaveLength(1);
  });

  it('does not retry RESOURCE_EXHAUSTED: AgentQueueFullError with the message', async () => {
    await start([{ code: grpc.status.RESOURCE_EXHAUSTED, details: 'the queue is full' }], { retry: fastRetry });
    const error = await client.notify({ title: 't', body: 'b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentQueueFullError);
    expect(error).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'the queue is full', attempts: 1 });
  });

  it('reports any other status as NotifyFailedError with its code, without retrying', async () => {
    await start([{ code: grpc.status.INTERNAL, details: 'disk I/O error' }], { retry: fastRetry });
    const error = await client.notify({ title: 't', body: 'b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifyFailedError);
    expect(error).toMatchObject({ code: grpc.status.INTERNAL, details: 'disk I/O error', attempts: 1 });
    expect(agent.requests).toHaveLength(1);
  });

  it('close() ends a call waiting to retry with CANCELLED, and later calls fail the same way', async () => {
    await start([unavailable], { retry: { initialMs: 60_000, maxMs: 60_000, maxAttempts: 3, maxElapsedMs: 600_000 } });
    const pending = client.notify({ title: 't', body: 'b', id: 'n-4' }).catch((e: unknown) => e);
    await waitUntil(() => agent.requests.length === 1);
    client.close();
    expect(await pending).toMatchObject({ code: grpc.status.CANCELLED, notificationId: 'n-4', attempts: 1 });
    expect(await pending).toBeInstanceOf(NotifyFailedError);
    await expect(client.notify({ title: 't', body: 'b' })).rejects.toMatchObject({ code: grpc.status.CANCELLED });
  });
});

/** Polls a synchronous condition (no @app/testing here: a library's unit spec stays within its own code). */
async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

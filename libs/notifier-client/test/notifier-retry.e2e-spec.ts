import { NotifierClient, type NotifyRetry } from '@app/notifier-client';
import { fetchAgentQueue, freePort, spawnApp, waitFor, type SpawnedApp } from '@app/testing';

// Acceptance of the notifier's retries (issue 9): the agent is down when
// notify is called and comes up within the retry budget; the notification is
// queued exactly once, under the id the client generated.

describe('NotifierClient against an agent that comes up late', () => {
  let agent: SpawnedApp | undefined;
  let client: NotifierClient | undefined;

  afterEach(async () => {
    client?.close();
    await agent?.stop();
  });

  it('retries until the agent is up, and the agent queues the notification once, under the generated id', async () => {
    const port = await freePort();
    const retries: NotifyRetry[] = [];
    client = new NotifierClient({
      agentAddress: `127.0.0.1:${port}`,
      timeoutMs: 2_000,
      retry: { initialMs: 100, maxMs: 500, maxAttempts: Infinity, maxElapsedMs: 60_000 },
      onRetry: (retry) => retries.push(retry),
    });

    const sending = client.notify({ title: 'Agent restarted', body: 'sent while it was down', severity: 'Warning' });
    // Two refused calls: the agent really was down while notify was under way.
    await waitFor(() => retries.length >= 2, { timeoutMs: 10_000, description: 'two failed attempts' });
    agent = await spawnApp('agent', { args: ['--grpc-port', String(port)] });
    const result = await sending;

    const id = retries[0].error.notificationId;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retries.map((retry) => retry.error.notificationId)).toEqual(retries.map(() => id));
    expect(result).toEqual({ id, coalesced: false, attempts: retries.length + 1 });
    const queue = await fetchAgentQueue(agent.httpAddress);
    expect(queue.count).toBe(1);
    expect(queue.entries).toEqual([expect.objectContaining({ id, severity: 'Warning', occurrences: 1 })]);
  });
});

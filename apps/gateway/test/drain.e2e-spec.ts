import {
  adminHeaders,
  appsStoppedAfterEach,
  fetchAgentQueueCount,
  fetchGatewayNotifications,
  freePort,
  installAlerting,
  interleavedSeverities,
  joinArgs,
  notifyAll,
  readSseBlocks,
  spawnApp,
  waitFor,
  withNotifyClient,
} from '@app/testing';

// The gateway's side of the push (issue 5), with real processes: a gateway
// killed with SIGKILL in the middle of a drain loses nothing and lists each
// notification once after it restarts; a live SSE subscriber sees a
// notification within a second of the agent accepting it.

/** Reads Server-Sent Events from `url` until aborted; each `data:` line's JSON goes to `onEvent`. */
async function readEvents(url: string, signal: AbortSignal, onEvent: (data: unknown) => void): Promise<Response> {
  const response = await fetch(url, {
    signal,
    headers: { Accept: 'text/event-stream', ...adminHeaders(new URL(url).host) },
  });
  if (!response.ok || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
  void readSseBlocks(response.body, (event) => {
    const data = event
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (data) onEvent(JSON.parse(data));
  });
  return response;
}

describe('gateway: ingest under failure, and the live feed', () => {
  const { start } = appsStoppedAfterEach();

  it('loses nothing and lists everything exactly once when killed with SIGKILL mid-drain', async () => {
    const gatewayPort = await freePort();
    const gatewayArgs = { args: ['--grpc-port', String(gatewayPort)] };
    const first = await spawnApp('gateway', gatewayArgs);
    const dataDir = first.dataDir;
    const agent = await start('agent', {
      args: [...(await joinArgs(first, 'kill-test')), '--reconnect-max-delay-ms', '300'],
    });
    // Queued while alerting is not installed, then installed: the whole queue drains at once.
    const sent = interleavedSeverities('k', 6000);
    const ids = sent.map((s) => s.id);
    await notifyAll(agent.grpcAddress, sent);
    await installAlerting(first.httpAddress, 'kill-test');
    // Kill once part of the queue has been resolved, well before all of it.
    const resolvedBeforeKill = await waitFor(
      async () => {
        const left = await fetchAgentQueueCount(agent.httpAddress);
        return left < ids.length && left > 0 ? ids.length - left : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 5, description: 'the drain to be under way' },
    );
    first.process.kill('SIGKILL');
    await first.exited();

    const second = await start('gateway', { ...gatewayArgs, dataDir });
    await waitFor(async () => (await fetchAgentQueueCount(agent.httpAddress)) === 0, {
      timeoutMs: 60_000,
      description: 'the agent to have everything resolved by the restarted gateway',
    });
    const listed = await fetchGatewayNotifications(second.httpAddress, { cluster: 'kill-test' });
    const listedIds = listed.map((n) => n.id);
    const present = new Set(listedIds);
    expect({
      resolvedBeforeKillWasPartial: resolvedBeforeKill > 0 && resolvedBeforeKill < ids.length,
      listed: listedIds.length,
      distinct: present.size,
      missing: ids.filter((id) => !present.has(id)).slice(0, 20),
    }).toEqual({ resolvedBeforeKillWasPartial: true, listed: ids.length, distinct: ids.length, missing: [] });
  });

  it('shows a notification to an SSE subscriber within 1 s of Notify', async () => {
    const gateway = await start('gateway');
    const agent = await start('agent', { args: await joinArgs(gateway, 'live') });
    await installAlerting(gateway.httpAddress, 'live');

    const abort = new AbortController();
    const seen = new Map<string, number>();
    const response = await readEvents(
      `http://${gateway.httpAddress}/api/v1/notifications/stream?cluster=live`,
      abort.signal,
      (data) => seen.set((data as { id: string }).id, performance.now()),
    );
    try {
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const latencies: number[] = [];
      await withNotifyClient(agent.grpcAddress, async (client) => {
        for (let n = 0; n < 5; n++) {
          const id = `live-${n}`;
          const before = performance.now();
          await client.notify({ id, message: { title: 'live', body: `n=${n}`, properties: {} } });
          const arrived = await waitFor(() => seen.get(id), {
            timeoutMs: 5_000,
            description: `${id} on the SSE feed`,
          });
          latencies.push(arrived - before);
        }
      });
      expect(Math.max(...latencies)).toBeLessThan(1_000);
    } finally {
      abort.abort();
    }
  });
});

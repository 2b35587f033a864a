import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FakeKubeApi,
  fetchAgentQueue,
  fetchGatewayNotifications,
  installAlerting,
  joinArgs,
  scrapeMetrics,
  seededRandom,
  seedFromEnv,
  spawnApp,
  waitFor,
  type EventsV1Event,
  type SpawnedApp,
} from '@app/testing';

// Acceptance restart test of the Kubernetes event source (issue 23, DESIGN.md
// invariant 10): events keep being created (new ones, and repeats of earlier
// ones that bump their series count) while the agent is SIGKILLed and
// restarted, round after round, one round with the agent's resourceVersion
// expired (410) while it is down. At the gateway every occurrence of every
// event must be there exactly once: per event, the occurrences of its
// notifications (a notification per id, coalesced repeats counted in
// opni_occurrences) add up to its count; no id twice.
//
// KUBE_RESTART_SEED=<seed> replays the same schedule.

const ROUNDS = 6;
const EXPIRED_ROUND = 3;
const PRODUCE_EVERY_MS = 15;
const seed = seedFromEnv('KUBE_RESTART_SEED');
const random = seededRandom(seed);

describe('Kubernetes event source across SIGKILL restarts', () => {
  let api: FakeKubeApi;
  let dir: string;
  let gateway: SpawnedApp;
  let agent: SpawnedApp | undefined;
  /** Every event created, by uid, as last stored (its series count is how many times it occurred). */
  const events = new Map<string, EventsV1Event>();
  let producer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    console.log(`kube events restart test seed ${seed} (replay with KUBE_RESTART_SEED=${seed})`);
    dir = mkdtempSync(join(tmpdir(), 'kube-restart-'));
    api = await FakeKubeApi.start({ bookmarkIntervalMs: 200 });
    gateway = await spawnApp('gateway');
  });
  afterAll(async () => {
    clearInterval(producer);
    if (agent) await agent.stop('SIGKILL');
    await gateway?.stop('SIGKILL');
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const occurrences = (event: EventsV1Event) => event.series?.count ?? 1;
  const produce = () => {
    const known = [...events.values()];
    if (known.length > 0 && random.int(0, 3) === 0) {
      const again = api.repeatEvent(known[random.int(0, known.length - 1)]);
      events.set(again.metadata.uid, again);
      return;
    }
    const n = events.size;
    const created = api.createEvent({
      namespace: `team-${n % 5}`,
      reason: 'BackOff',
      type: 'Warning',
      note: `Back-off restarting failed container in pod app-${n}`,
      regarding: { kind: 'Pod', name: `app-${n}`, namespace: `team-${n % 5}` },
    });
    events.set(created.metadata.uid, created);
  };

  const incarnations: SpawnedApp[] = [];
  const startAgent = async (args: string[]) => {
    agent = await spawnApp('agent', { dataDir: join(dir, 'agent'), args });
    incarnations.push(agent);
    return agent;
  };

  /** Per event uid: the occurrences the gateway holds (sum of opni_occurrences), and ids listed more than once. */
  async function atGateway() {
    const listed = await fetchGatewayNotifications(gateway.httpAddress, { cluster: 'kube-r' });
    const perEvent = new Map<string, number>();
    const seen = new Set<string>();
    const doubled: string[] = [];
    const unknown: string[] = [];
    for (const notification of listed) {
      if (seen.has(notification.id)) doubled.push(notification.id);
      seen.add(notification.id);
      const uid = /^k8s\/([^/]+)\/\d+$/.exec(notification.id)?.[1];
      if (!uid || !events.has(uid)) {
        unknown.push(notification.id);
        continue;
      }
      perEvent.set(uid, (perEvent.get(uid) ?? 0) + Number(notification.properties.opni_occurrences ?? '1'));
    }
    return { listed, perEvent, doubled, unknown };
  }

  const mismatches = (perEvent: Map<string, number>) =>
    [...events.values()]
      .filter((event) => (perEvent.get(event.metadata.uid) ?? 0) !== occurrences(event))
      .map((event) => ({
        uid: event.metadata.uid,
        created: occurrences(event),
        atGateway: perEvent.get(event.metadata.uid) ?? 0,
      }));

  /** What a failure report needs: where the missing occurrences are, and the agent's view. */
  async function diagnose(missing: ReturnType<typeof mismatches>): Promise<string> {
    const queue = await fetchAgentQueue(agent!.httpAddress).catch((error: Error) => error.message);
    const scrape = await scrapeMetrics(agent!.httpAddress).catch(() => undefined);
    const kube = scrape?.samples
      .filter((x) => x.name.startsWith('agent_kube_events_') && !x.name.includes('lag') && x.value > 0)
      .map((x) => [x.name, x.labels, x.value]);
    const summary =
      typeof queue === 'string'
        ? queue
        : { count: queue.count, inFlight: queue.inFlight, ids: queue.entries.slice(0, 5).map((e) => e.id) };
    return (
      `${missing.length} events short at the gateway, first ${JSON.stringify(missing.slice(0, 5))}, ` +
      `their resourceVersions ${JSON.stringify(missing.slice(0, 20).map((m) => events.get(m.uid)?.metadata.resourceVersion))}; ` +
      `agent queue ${JSON.stringify(summary)}; metrics ${JSON.stringify(kube)}; ` +
      `watches from ${JSON.stringify(api.requests.filter((r) => r.query.watch).map((r) => r.query.resourceVersion))}; ` +
      `requests ${JSON.stringify(api.requests.map((r) => [r.path.split('/').pop(), r.query.resourceVersion ?? r.query.continue?.slice(0, 6) ?? '', r.status]))}; ` +
      `source logs ${JSON.stringify(incarnations.map((a) => a.logs.filter((l) => String(l.event).startsWith('kube-events')).map((l) => [l.event, l.msg])))}`
    );
  }

  it(`loses and doubles nothing over ${ROUNDS} SIGKILL rounds, one with the resourceVersion expired`, async () => {
    const kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'));
    const args = [
      ...(await joinArgs(gateway, 'kube-r')),
      ...['--kube-events', 'true', '--kubeconfig', kubeconfig, '--reconnect-max-delay-ms', '300'],
    ];
    await startAgent(args);
    await installAlerting(gateway.httpAddress, 'kube-r');
    producer = setInterval(produce, PRODUCE_EVERY_MS);
    const rounds: Record<string, unknown>[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // In the expired round, the events repeated while the agent is down are relisted once each, at
      // their latest count: the notification must stand for every occurrence since the agent last saw it.
      const expire = round === EXPIRED_ROUND;
      await new Promise((resolve) => setTimeout(resolve, random.int(300, 1500)));
      agent!.process.kill('SIGKILL');
      await agent!.exited();
      const createdBefore = events.size;
      await new Promise((resolve) => setTimeout(resolve, random.int(100, 600))); // the producer goes on meanwhile
      if (expire) api.expire();
      const restarted = await startAgent(args);
      if (expire) {
        await waitFor(() => restarted.logs.some((line) => line.event === 'kube-events-relist'), {
          timeoutMs: 30_000,
          description: 'the restarted agent relisting after 410',
        });
      }
      rounds.push({ round, expire, eventsAtKill: createdBefore, eventsAtRestart: events.size });
    }
    clearInterval(producer);
    producer = undefined;
    api.bookmark();

    let last: Awaited<ReturnType<typeof atGateway>> | undefined;
    try {
      await waitFor(
        async () => {
          last = await atGateway();
          return mismatches(last.perEvent).length === 0;
        },
        { timeoutMs: 90_000, description: 'every occurrence of every event at the gateway' },
      );
    } finally {
      if (last && mismatches(last.perEvent).length > 0) console.log(await diagnose(mismatches(last.perEvent)));
      console.log(
        `kube events restart test seed ${seed}: ${events.size} events, ` +
          `${[...events.values()].reduce((n, e) => n + occurrences(e), 0)} occurrences, ` +
          `${last?.listed.length} notifications at the gateway; rounds ${JSON.stringify(rounds)}; ` +
          `first mismatches ${JSON.stringify(last ? mismatches(last.perEvent).slice(0, 5) : [])}`,
      );
    }
    expect(last!.doubled).toEqual([]);
    expect(last!.unknown).toEqual([]);
    expect(mismatches(last!.perEvent)).toEqual([]);
    expect(events.size).toBeGreaterThan(100);
    // Restarts resumed from the committed resourceVersion: the only lists are the first start's and the 410 round's.
    const lists = api.requests.filter((r) => r.path.endsWith('/events') && r.query.watch === undefined);
    expect(lists.filter((r) => r.query.continue === undefined)).toHaveLength(2);
    // The test exercised what it claims: events repeated (new ids of the same event, coalesced or not).
    expect([...events.values()].some((e) => occurrences(e) > 1)).toBe(true);
  }, 300_000); // six restarts and the catch-up take ~20 s alone, over a minute while the whole suite runs
});

import { alerting } from '@app/proto';
import type { IncomingNotification } from '../../notifications/notification-store.js';
import { InMemoryNotificationStore } from './in-memory-notification-store.js';

function incoming(clusterId: string, id: string, severity = alerting.OpniSeverity.Info): IncomingNotification {
  return {
    clusterId,
    id,
    notification: { title: id, body: '', properties: { opni_uuid: id, opni_clusterId: clusterId } },
    severity,
    goldenSignal: alerting.GoldenSignal.Custom,
    receivedAt: new Date('2026-03-01T00:00:00Z'),
  };
}

// The test double must behave like the port says, or the receivers' tests prove nothing.
describe('InMemoryNotificationStore (test double)', () => {
  it('numbers stored notifications 1, 2, 3 … and stores (cluster, id) once', async () => {
    const store = new InMemoryNotificationStore();

    const a = await store.store(incoming('c1', 'a'));
    const b = await store.store(incoming('c1', 'b'));
    const again = await store.store({ ...incoming('c1', 'a'), notification: { title: 'x', body: '', properties: {} } });
    const otherCluster = await store.store(incoming('c2', 'a'));

    expect([a.stored.seq, b.stored.seq, otherCluster.stored.seq]).toEqual([1n, 2n, 3n]);
    expect(a.duplicate || b.duplicate || otherCluster.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, stored: { seq: 1n, notification: { title: 'a' } } });
  });

  it('reads after a seq oldest first, a limited batch at a time; lists newest first with a cursor', async () => {
    const store = new InMemoryNotificationStore();
    for (const id of ['a', 'b', 'c', 'd']) await store.store(incoming('c1', id));

    expect((await store.readAfter(1n, 2)).map((n) => n.id)).toEqual(['b', 'c']);
    expect((await store.readAfter(4n, 10)).map((n) => n.id)).toEqual([]);
    const page = await store.list({ limit: 3 });
    expect(page.notifications.map((n) => n.id)).toEqual(['d', 'c', 'b']);
    expect((await store.list({ cursor: page.nextCursor })).notifications.map((n) => n.id)).toEqual(['a']);
    await expect(store.list({ cursor: 'x' })).rejects.toThrow('cursor');
  });

  it('hands out copies: callers cannot change what is stored', async () => {
    const store = new InMemoryNotificationStore();
    const { stored } = await store.store(incoming('c1', 'a'));
    stored.notification!.title = 'changed';

    expect((await store.readAfter(0n, 1))[0].notification!.title).toBe('a');
  });
});

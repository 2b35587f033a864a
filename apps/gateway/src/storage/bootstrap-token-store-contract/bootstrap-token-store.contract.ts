import type { BootstrapTokenRecord, BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import type { ReplicatedStoreUnderTest } from '../replicated-store-under-test.js';

/** Opens an empty store, for one test. */
export type OpenBootstrapTokenStore = () => Promise<ReplicatedStoreUnderTest<BootstrapTokenStore>>;

const T0 = Date.UTC(2030, 0, 1);

function token(id: string, overrides: Partial<BootstrapTokenRecord> = {}): BootstrapTokenRecord {
  return {
    id,
    secretHash: 'ab'.repeat(32),
    createdAt: new Date(T0),
    maxUsages: 1,
    usages: 0,
    labels: { env: 'prod', team: 'ünïcødé ✓' },
    ...overrides,
  };
}

/**
 * What every BootstrapTokenStore adapter does, run by each adapter's spec with
 * its own `open` (SQLite: a temporary file; PostgreSQL: a database of a
 * throwaway cluster). The race is the point of use(): joins through two
 * replicas at once never use a token more often than it allows.
 */
export function describeBootstrapTokenStoreContract(adapter: string, open: OpenBootstrapTokenStore): void {
  describe(`${adapter}: bootstrap tokens`, () => {
    let subject: ReplicatedStoreUnderTest<BootstrapTokenStore>;
    beforeEach(async () => (subject = await open()));
    afterEach(() => subject.dispose());

    it('keeps a token across a reopen, with its optional fields present or absent as put', async () => {
      const full = token('000000000001', {
        expiresAt: new Date(T0 + 60_000),
        revokedAt: new Date(T0 + 1),
        maxUsages: 0,
      });
      const bare = token('000000000002');
      await subject.store.put(full);
      await subject.store.put(bare);
      await subject.reopen();

      expect(await subject.store.get(full.id)).toEqual(full);
      const read = await subject.store.get(bare.id);
      expect(read).toEqual(bare);
      expect(Object.keys(read!).sort()).toEqual(Object.keys(bare).sort());
      expect(await subject.store.get('00000000000f')).toBeUndefined();
    });

    it('lists every token in id order; put replaces a token', async () => {
      for (const id of ['00000000000b', '00000000000a', '0000000000aB']) await subject.store.put(token(id));
      await subject.store.put(token('00000000000a', { usages: 1, labels: {} }));

      const listed = await subject.store.list();
      expect(listed.map((record) => record.id)).toEqual(['00000000000a', '00000000000b', '0000000000aB']);
      expect(listed[0]).toEqual(token('00000000000a', { usages: 1, labels: {} }));
    });

    it('counts a use and answers with the record after it, until the token is used up', async () => {
      await subject.store.put(token('000000000001', { maxUsages: 2 }));
      const at = new Date(T0);

      expect(await subject.store.use('000000000001', at)).toEqual(token('000000000001', { maxUsages: 2, usages: 1 }));
      expect((await subject.store.use('000000000001', at))?.usages).toBe(2);
      expect(await subject.store.use('000000000001', at)).toBeUndefined();
      expect((await subject.store.get('000000000001'))?.usages).toBe(2);
    });

    it('counts any number of uses of a token with maxUsages 0', async () => {
      await subject.store.put(token('000000000001', { maxUsages: 0 }));
      for (let i = 1; i <= 5; i++) expect((await subject.store.use('000000000001', new Date(T0)))?.usages).toBe(i);
    });

    it('refuses, writing nothing, an unknown, revoked or expired token (expired at its expiry instant)', async () => {
      await subject.store.put(token('00000000000r', { revokedAt: new Date(T0 - 1) }));
      await subject.store.put(token('00000000000e', { expiresAt: new Date(T0 + 1_000) }));

      expect(await subject.store.use('00000000000u', new Date(T0))).toBeUndefined();
      expect(await subject.store.use('00000000000r', new Date(T0))).toBeUndefined();
      expect(await subject.store.use('00000000000e', new Date(T0 + 1_000))).toBeUndefined();
      expect((await subject.store.list()).map((record) => record.usages)).toEqual([0, 0]);
      expect((await subject.store.use('00000000000e', new Date(T0 + 999)))?.usages).toBe(1);
    });

    it('gives a use back, never below 0, and ignores an unknown token', async () => {
      await subject.store.put(token('000000000001', { usages: 1 }));
      await subject.store.giveBack('000000000001');
      await subject.store.giveBack('000000000001');
      await subject.store.giveBack('00000000000u');

      expect(await subject.store.get('000000000001')).toEqual(token('000000000001'));
      expect(await subject.store.get('00000000000u')).toBeUndefined();
    });

    it('grants exactly K uses of a K-use token to N joins raced through two replicas', async () => {
      const other = await subject.replica();
      const JOINS = 40;
      for (const uses of [1, 7]) {
        const id = `00000000000${uses}`;
        await subject.store.put(token(id, { maxUsages: uses }));
        const replicas = [subject.store, other];
        const results = await Promise.all(
          Array.from({ length: JOINS }, (_, i) => replicas[i % 2].use(id, new Date(T0))),
        );

        const granted = results.filter((record) => record !== undefined);
        expect(granted).toHaveLength(uses);
        // Each granted use saw its own count: 1 … K, none twice.
        expect(granted.map((record) => record!.usages).sort((a, b) => a - b)).toEqual(
          Array.from({ length: uses }, (_, i) => i + 1),
        );
        expect((await other.get(id))?.usages).toBe(uses);
      }
    });

    it('loses no give-back raced with uses through two replicas', async () => {
      const other = await subject.replica();
      await subject.store.put(token('000000000001', { maxUsages: 0, usages: 20 }));
      const replicas = [subject.store, other];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 4 < 2 ? replicas[i % 2].use('000000000001', new Date(T0)) : replicas[i % 2].giveBack('000000000001'),
        ),
      );

      expect((await subject.store.get('000000000001'))?.usages).toBe(20);
    });
  });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnauthenticatedError } from '@app/runtime';
import { captureNestLogs } from '@app/testing';
import { BootstrapTokens } from './bootstrap-tokens.js';
import { SqliteBootstrapTokenStore } from '../../storage/sqlite/sqlite-bootstrap-token-store.js';

captureNestLogs();

describe('BootstrapTokens: two gateways sharing one token store', () => {
  let dir: string;
  let stores: SqliteBootstrapTokenStore[];
  let gateways: BootstrapTokens[];
  const clock = { now: () => Date.parse('2026-12-06T09:00:00Z') };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokens-'));
    stores = [0, 1].map(() => new SqliteBootstrapTokenStore(join(dir, 'tokens.db')));
    gateways = stores.map((store) => new BootstrapTokens(store, clock));
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs exactly as many joins as the token allows, whichever gateway they reach', async () => {
    const { token } = await gateways[0].create({ ttlMs: 0, maxUsages: 3, labels: {} });
    let joined = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        gateways[i % 2].redeem(token, async () => {
          await new Promise((resolve) => setImmediate(resolve)); // the other gateway's joins run meanwhile
          joined++;
        }),
      ),
    );

    expect(joined).toBe(3);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(7);
    for (const outcome of refused)
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(UnauthenticatedError);
    expect((await gateways[1].list())[0].usages).toBe(3);
  });

  it('gives the use of a failed join back, so a join through the other gateway may have it', async () => {
    const { token } = await gateways[0].create({ ttlMs: 0, maxUsages: 1, labels: {} });
    await expect(gateways[0].redeem(token, () => Promise.reject(new Error('handshake failed')))).rejects.toThrow(
      'handshake failed',
    );

    await expect(gateways[1].redeem(token, async () => 'joined')).resolves.toBe('joined');
    await expect(gateways[0].redeem(token, async () => 'joined')).rejects.toThrow(/is used up \(1 of 1 joins\)/);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alerting } from '@app/proto';
import { systemClock } from '@app/runtime';
import { waitFor } from '@app/testing';
import { SqliteNotificationStore } from '../../storage/sqlite/sqlite-notification-store.js';
import type { DeliveryIntegration, PreparedBatch, SendOutcome } from './delivery-integration.js';
import { storeNumbered } from './fixtures/numbered-notifications.js';
import { DeliveryTargetConfig } from './delivery-target-config.js';
import { ReceiverDelivery, type DeliveryConfig } from './receiver-delivery.js';
import { SqliteReceiverProgressStore } from '../../storage/sqlite/sqlite-receiver-progress-store.js';

/** An integration whose POSTs are answered when the test says so, in whatever order it likes. */
class HeldIntegration implements DeliveryIntegration {
  readonly kind = 'alertmanager';
  readonly held: { seqs: bigint[]; answer: (outcome: SendOutcome) => void }[] = [];
  inFlight = 0;
  mostInFlight = 0;

  prepare(batch: readonly alerting.StoredNotification[]): PreparedBatch {
    return { batch, body: '' };
  }

  send(prepared: PreparedBatch, cancel: AbortSignal): Promise<SendOutcome> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      const settle = () => this.inFlight--;
      this.held.push({
        seqs: prepared.batch.map((stored) => stored.seq),
        answer: (outcome) => {
          settle();
          resolve(outcome);
        },
      });
      cancel.addEventListener('abort', () => {
        settle();
        reject(cancel.reason as Error);
      });
    });
  }

  /** Answers the held POST `index` with a 2xx. */
  accept(index: number): bigint[] {
    const post = this.held[index];
    post.answer({ ok: true, rejected: [] });
    return post.seqs;
  }
}

/** Accepts everything at once, remembering what it was sent. */
class AcceptingIntegration implements DeliveryIntegration {
  readonly kind = 'alertmanager';
  readonly sent: bigint[] = [];
  prepare(batch: readonly alerting.StoredNotification[]): PreparedBatch {
    return { batch, body: '' };
  }
  async send(prepared: PreparedBatch): Promise<SendOutcome> {
    this.sent.push(...prepared.batch.map((stored) => stored.seq));
    return { ok: true, rejected: [] };
  }
}

describe('ReceiverDelivery with several batches in flight (real SQLite store and progress file)', () => {
  let dir: string;
  let store: SqliteNotificationStore;
  let progressStore: SqliteReceiverProgressStore;
  const config: DeliveryConfig = Object.assign(new DeliveryTargetConfig(), {
    name: 'am',
    batchSize: 5,
    readAheadBatches: 2, // windows of 10
    maxInFlight: 4,
    progressIntervalMs: 0,
    pollIntervalMs: 50,
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'receiver-delivery-'));
    store = new SqliteNotificationStore(join(dir, 'notifications.db'));
    progressStore = new SqliteReceiverProgressStore(join(dir, 'receivers.db'));
    await storeNumbered(store, 0, 40);
  });

  afterEach(async () => {
    await store.close();
    await progressStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (integration: DeliveryIntegration, cursor: bigint) => {
    const delivery = new ReceiverDelivery(
      config,
      { cursor, delivered: 0, undeliverable: 0 },
      { store, progressStore, integration, clock: systemClock, head: 40n },
    );
    delivery.start();
    return delivery;
  };

  it('keeps maxInFlight POSTs in flight, moves the cursor only past windows wholly acknowledged, and resends the rest after a restart', async () => {
    const held = new HeldIntegration();
    const first = start(held, 0n);
    await waitFor(() => held.held.length === 4, { description: 'four POSTs in flight' });
    expect(held.mostInFlight).toBe(4);

    // Seqs 1–5 (the first batch) stay unanswered; the next three are acknowledged, out of order.
    const acknowledged = [...held.accept(3), ...held.accept(1), ...held.accept(2)];
    await waitFor(() => held.held.length === 7, { description: 'three more POSTs in their place' });
    expect(held.mostInFlight).toBe(4);
    // Window 1 (seqs 1–10) is not done, so neither it nor window 2 moves the cursor.
    expect(first.status().progress.cursor).toBe(0n);

    // Answering the first batch completes windows 1 and 2: the cursor moves past both, and is saved.
    acknowledged.push(...held.accept(0));
    await waitFor(async () => (await progressStore.load('am'))?.cursor === 20n, {
      description: 'the cursor saved past window 2',
    });
    expect(first.status().progress.delivered).toBe(20);

    // Stopped with seqs 21–35 in flight: they were never acknowledged, so a restart sends them again.
    await first.stop();
    expect((await progressStore.load('am'))?.cursor).toBe(20n);
    const accepting = new AcceptingIntegration();
    const second = start(accepting, (await progressStore.load('am'))!.cursor);
    await waitFor(async () => (await progressStore.load('am'))?.cursor === 40n, {
      description: 'the rest delivered after the restart',
    });
    await second.stop();
    expect(accepting.sent).toEqual(Array.from({ length: 20 }, (_, n) => BigInt(21 + n)));
    expect(new Set([...acknowledged, ...accepting.sent]).size).toBe(40);
  });

  it('starts no new batch while the target fails (those in flight retry), then goes on', async () => {
    const attempted = new Set<bigint>();
    let failing = true;
    let inFlight = 0;
    let mostInFlight = 0;
    const flaky: DeliveryIntegration = {
      kind: 'alertmanager',
      prepare: (batch) => ({ batch, body: '' }),
      async send({ batch }) {
        attempted.add(batch[0].seq);
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return failing ? { ok: false, kind: 'transient', message: 'HTTP 503' } : { ok: true, rejected: [] };
      },
    };
    const delivery = new ReceiverDelivery(
      { ...config, backoffInitialMs: 5, backoffMaxMs: 20 },
      { cursor: 0n, delivered: 0, undeliverable: 0 },
      { store, progressStore, integration: flaky, clock: systemClock, head: 40n },
    );
    delivery.start();
    await waitFor(() => delivery.status().consecutiveFailures >= 12, { description: 'retries' });
    // The first volley went out before anything had failed; nothing new since.
    expect([...attempted].sort((a, b) => Number(a - b))).toEqual([1n, 6n, 11n, 16n]);
    expect(delivery.status().state).toBe('failing');
    failing = false;
    await waitFor(() => delivery.status().progress.cursor === 40n, { description: 'everything delivered' });
    await delivery.stop();
    expect(delivery.status().progress.delivered).toBe(40);
    expect(mostInFlight).toBeLessThanOrEqual(4);
  });
});

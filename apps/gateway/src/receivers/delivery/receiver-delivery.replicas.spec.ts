import { Logger } from '@nestjs/common';
import { alerting } from '@app/proto';
import { systemClock } from '@app/runtime';
import { waitFor } from '@app/testing';
import { useMigratedDatabase } from '../../storage/postgres/fixtures/migrated-database.js';
import { PostgresDeliveryLeases } from '../../storage/postgres/postgres-delivery-leases.js';
import { PostgresNotificationStore } from '../../storage/postgres/postgres-notification-store.js';
import { PostgresReceiverProgressStore } from '../../storage/postgres/postgres-receiver-progress-store.js';
import type { DeliveryIntegration, PreparedBatch, SendOutcome } from './delivery-integration.js';
import { storeNumbered } from './fixtures/numbered-notifications.js';
import { DeliveryLease } from './delivery-lease.js';
import { DeliveryTargetConfig } from './delivery-target-config.js';
import { ReceiverDelivery, type DeliveryConfig } from './receiver-delivery.js';

const database = useMigratedDatabase();
const TTL_MS = 900;

/** What every replica sent, and when their POSTs were cut off (the lease lost). */
interface Sent {
  replica: string;
  seqs: bigint[];
  at: number;
}

/** A target that answers after `answerMs`, or never while `hanging`; records each POST and abort. */
class RecordingTarget implements DeliveryIntegration {
  readonly kind = 'webhook';
  hanging = false;
  readonly aborted: number[] = [];
  constructor(
    private readonly replica: string,
    private readonly log: Sent[],
  ) {}
  prepare(batch: readonly alerting.StoredNotification[]): PreparedBatch {
    return { batch, body: '' };
  }
  send({ batch }: PreparedBatch, cancel: AbortSignal): Promise<SendOutcome> {
    this.log.push({ replica: this.replica, seqs: batch.map((stored) => stored.seq), at: Date.now() });
    return new Promise((resolve, reject) => {
      if (!this.hanging) setTimeout(() => resolve({ ok: true, rejected: [] }), 10);
      cancel.addEventListener('abort', () => {
        this.aborted.push(Date.now());
        reject(cancel.reason as Error);
      });
    });
  }
}

const config: DeliveryConfig = Object.assign(new DeliveryTargetConfig(), {
  name: 'ops',
  batchSize: 5,
  pollIntervalMs: 50,
});

describe('ReceiverDelivery on replicas sharing PostgreSQL (real leases, store and progress)', () => {
  const running: ReceiverDelivery[] = [];
  afterEach(async () => {
    for (const delivery of running.splice(0)) await delivery.stop();
  });

  it('sends each notification from one replica only; one cut off from the database stops before another takes over', async () => {
    const sql = database.replicaPool();
    const store = new PostgresNotificationStore(sql);
    await storeNumbered(store, 0, 40);
    const log: Sent[] = [];
    const replicas = ['a', 'b'].map((name) => {
      const leasesPool = database.replicaPool(); // ended to cut the replica off
      const target = new RecordingTarget(name, log);
      const delivery = new ReceiverDelivery(
        config,
        { cursor: 0n, delivered: 0, undeliverable: 0 },
        {
          store,
          progressStore: new PostgresReceiverProgressStore(database.replicaPool()),
          integration: target,
          clock: systemClock,
          head: 40n,
          lease: new DeliveryLease(new PostgresDeliveryLeases(leasesPool, TTL_MS, name), 'ops', {
            clock: systemClock,
            logger: new Logger(`replica ${name}`),
          }),
        },
      );
      running.push(delivery);
      delivery.start();
      return { name, delivery, target, leasesPool };
    });

    const sentSeqs = () => log.flatMap((sent) => sent.seqs);
    await waitFor(() => new Set(sentSeqs()).size === 40, { description: 'the first 40 sent' });
    expect(sentSeqs()).toHaveLength(40);
    const holder = replicas.find((replica) => replica.delivery.status().leaseHeld)!;
    const other = replicas.find((replica) => replica !== holder)!;
    expect(other.delivery.status().leaseHeld).toBe(false);
    expect(new Set(log.map((sent) => sent.replica))).toEqual(new Set([holder.name]));

    // The holder's next POST hangs, and then it loses the database: it must stop before the other starts.
    holder.target.hanging = true;
    await storeNumbered(store, 40, 20);
    for (const { delivery } of replicas) delivery.wake();
    await waitFor(() => sentSeqs().includes(41n), { description: 'the holder sending seq 41' });
    await holder.leasesPool.end({ timeout: 0 });

    await waitFor(() => new Set(sentSeqs()).size === 60 && other.delivery.status().progress.cursor === 60n, {
      timeoutMs: 5000,
      description: 'the other replica to take over and send the rest',
    });
    const takenOverAt = Math.min(...log.filter((sent) => sent.replica === other.name).map((sent) => sent.at));
    const holderLast = Math.max(...log.filter((sent) => sent.replica === holder.name).map((sent) => sent.at));
    expect(holder.target.aborted.length).toBeGreaterThan(0);
    expect(Math.max(...holder.target.aborted, holderLast)).toBeLessThan(takenOverAt);
    expect(holder.delivery.status().leaseHeld).toBe(false);
    expect(other.delivery.status().leaseHeld).toBe(true);
  });
});

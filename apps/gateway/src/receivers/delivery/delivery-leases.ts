/**
 * Injection token of the delivery leases: which gateway replica delivers a
 * target. Replicas share one notification store and every replica hears
 * every notification, so without a lease each would deliver each one.
 * Bound by StorageModule: always held on SQLite (one gateway), a row per
 * target in PostgreSQL (storage/postgres/postgres-delivery-leases.ts).
 */
export const DELIVERY_LEASES = Symbol('DeliveryLeases');

/**
 * Leases keyed by a target's progress key. A lease lasts `ttlMs` unless
 * renewed; every acquisition gives a higher epoch (the fencing token), which
 * the holder passes with its progress saves so that a replica that lost the
 * lease cannot record progress over the new holder's (ReceiverProgressStore).
 */
export interface DeliveryLeases {
  /** How long a lease lasts unless renewed; undefined: until released (one gateway). */
  readonly ttlMs?: number;
  /** This replica, as the leases and logs name it. */
  readonly holder: string;
  /** Takes the lease when it is free, expired or ours: its new epoch; undefined while another replica holds it. */
  acquire(key: string): Promise<bigint | undefined>;
  /** Extends our lease of that epoch by ttlMs; false once it is not ours any more (taken over). */
  renew(key: string, epoch: bigint): Promise<boolean>;
  /** Gives the lease up, so that another replica takes over at once rather than after ttlMs. */
  release(key: string, epoch: bigint): Promise<void>;
}

/** A progress save carrying an epoch that is no longer the lease's: another replica took the target over. */
export class LeaseLostError extends Error {
  constructor(key: string, epoch: bigint) {
    super(`the delivery lease of ${key} (epoch ${epoch}) was taken over by another replica`);
    this.name = 'LeaseLostError';
  }
}

/** One gateway (SQLite): it delivers every target, so every lease is its own, for good. */
export class InProcessDeliveryLeases implements DeliveryLeases {
  readonly holder = 'this-gateway';
  private readonly epochs = new Map<string, bigint>();

  async acquire(key: string): Promise<bigint> {
    const epoch = (this.epochs.get(key) ?? 0n) + 1n;
    this.epochs.set(key, epoch);
    return epoch;
  }

  async renew(key: string, epoch: bigint): Promise<boolean> {
    return this.epochs.get(key) === epoch;
  }

  async release(): Promise<void> {
    // Nobody else could take it.
  }
}

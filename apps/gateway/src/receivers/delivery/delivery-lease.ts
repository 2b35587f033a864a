import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
import type { Clock } from '@app/runtime';
import type { DeliveryLeases } from './delivery-leases.js';

/** One holding of a lease: its epoch (the fencing token), and a signal aborted once it is lost or released. */
export interface LeaseTerm {
  epoch: bigint;
  signal: AbortSignal;
}

/**
 * The part of the ttl a holder gives up before the database would let another
 * replica take over: time to abort the POSTs in flight, and slack for clocks
 * that run at slightly different rates (the deadline is kept on our clock, the
 * expiry on the database's).
 */
const SAFETY_FRACTION = 0.2;

interface HeldTerm {
  epoch: bigint;
  lost: AbortController;
  /** When we count the lease lost unless a renewal moved it on. */
  deadline?: NodeJS.Timeout;
  renewal?: NodeJS.Timeout;
}

/**
 * This replica's hold on one target's delivery lease. acquire() waits (trying
 * again every ttl/3) until the lease is ours; then it is renewed every ttl/3,
 * and counted lost — the term's signal aborts — when a renewal finds it taken
 * over, or when no renewal succeeded before a deadline kept on our clock a
 * little short of the database's expiry: the holder stops sending before any
 * other replica may start. A target thus has one deliverer while replicas are
 * alive; after a takeover the new holder resumes from the durable cursor, so
 * what the old one sent but had not saved is sent again (at least once).
 */
export class DeliveryLease {
  private term?: HeldTerm;

  constructor(
    private readonly leases: DeliveryLeases,
    readonly key: string,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {}

  /** Whether this replica holds the lease now. */
  get held(): boolean {
    return this.term !== undefined && !this.term.lost.signal.aborted;
  }

  /**
   * Until the lease is ours (or `stop` aborts: undefined). `whileWaiting` runs
   * after each failed attempt, e.g. to refresh what the holder has done.
   */
  async acquire(stop: AbortSignal, whileWaiting: () => Promise<void>): Promise<LeaseTerm | undefined> {
    let waitingLogged = false;
    while (!stop.aborted) {
      const askedAt = this.deps.clock.now();
      try {
        const epoch = await this.leases.acquire(this.key);
        if (epoch !== undefined) return this.begin(epoch, askedAt);
        if (!waitingLogged) {
          waitingLogged = true;
          this.deps.logger.log(
            { event: 'delivery-lease-waiting', receiver: this.key, replica: this.leases.holder },
            `${this.key}: another replica delivers; this one takes over if that one stops renewing its lease`,
          );
        }
        await whileWaiting();
      } catch (error) {
        this.deps.logger.warn(
          { event: 'delivery-lease-failed', receiver: this.key, err: error },
          `${this.key}: could not take or read the delivery lease; trying again`,
        );
      }
      await sleep(this.retryMs(), undefined, { signal: stop }).catch(() => undefined);
    }
    return undefined;
  }

  /** Gives the lease up (on stop): another replica takes over at once. */
  async release(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.end('released');
    await this.leases
      .release(this.key, term.epoch)
      .catch((error: unknown) =>
        this.deps.logger.warn(
          { event: 'delivery-lease-release-failed', receiver: this.key, err: error },
          `${this.key}: could not release the delivery lease; another replica takes over once it expires`,
        ),
      );
  }

  private retryMs(): number {
    return (this.leases.ttlMs ?? 3000) / 3;
  }

  private begin(epoch: bigint, askedAt: number): LeaseTerm {
    const term: HeldTerm = { epoch, lost: new AbortController() };
    this.term = term;
    // One gateway (leases that never expire): always its own, nothing worth a log line.
    if (this.leases.ttlMs !== undefined)
      this.deps.logger.log(
        { event: 'delivery-lease-acquired', receiver: this.key, replica: this.leases.holder, epoch: String(epoch) },
        `${this.key}: this replica (${this.leases.holder}) delivers, lease epoch ${epoch}`,
      );
    this.extend(askedAt);
    return { epoch, signal: term.lost.signal };
  }

  /** The lease, asked for or renewed at `askedAt`, lasts until askedAt + ttl on the database: stop a little sooner. */
  private extend(askedAt: number): void {
    const term = this.term;
    const ttl = this.leases.ttlMs;
    if (!term || ttl === undefined) return;
    clearTimeout(term.deadline);
    const deadline = askedAt + ttl * (1 - SAFETY_FRACTION) - this.deps.clock.now();
    term.deadline = setTimeout(() => this.lose('not renewed in time'), Math.max(0, deadline));
    term.renewal = setTimeout(() => void this.renew(), this.retryMs());
  }

  private async renew(): Promise<void> {
    const term = this.term;
    if (!term || term.lost.signal.aborted) return;
    const askedAt = this.deps.clock.now();
    try {
      const renewed = await this.leases.renew(this.key, term.epoch);
      if (this.term !== term || term.lost.signal.aborted) return;
      if (renewed) return this.extend(askedAt);
      this.lose('taken over by another replica');
    } catch (error) {
      this.deps.logger.warn(
        { event: 'delivery-lease-renewal-failed', receiver: this.key, err: error },
        `${this.key}: renewing the delivery lease failed; delivery stops if it cannot be renewed in time`,
      );
      if (this.term === term && !term.lost.signal.aborted)
        term.renewal = setTimeout(() => void this.renew(), this.retryMs());
    }
  }

  /** Counts the lease lost now (e.g. a save refused it): the term's signal aborts. */
  lose(why: string): void {
    if (!this.term || this.term.lost.signal.aborted) return;
    this.deps.logger.warn(
      { event: 'delivery-lease-lost', receiver: this.key, epoch: String(this.term.epoch), reason: why },
      `${this.key}: delivery lease epoch ${this.term.epoch} lost (${why}); stopping delivery, then trying to take it again`,
    );
    this.end(why);
  }

  private end(why: string): void {
    const term = this.term;
    if (!term) return;
    clearTimeout(term.deadline);
    clearTimeout(term.renewal);
    term.lost.abort(new Error(why));
    this.term = undefined;
  }
}

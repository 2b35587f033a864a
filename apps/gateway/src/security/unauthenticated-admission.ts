import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ResourceExhaustedError } from '@app/runtime';
import { durationMs, GatewaySettings } from '../config/gateway-settings.js';

export type RefusalReason =
  'handshake-timeout' | 'pending-handshakes' | 'pending-handshakes-per-address' | 'joins' | 'joins-per-address';

/** A handshake admitted: release it once the stream is authenticated or gone (idempotent). */
export interface AdmittedHandshake {
  release(): void;
}

/**
 * Bounds what callers who have not proved anything yet can hold or spend on
 * the gRPC port: session streams between Hello and Proof (at once, in total
 * and per source address) and Join attempts (per minute, in total and per
 * source address). Refusals are RESOURCE_EXHAUSTED, which agents retry with
 * backoff, and are counted by reason.
 */
@Injectable()
export class UnauthenticatedAdmission {
  private readonly logger = new Logger(UnauthenticatedAdmission.name);
  private readonly pendingByAddress = new Map<string, number>();
  private pendingTotal = 0;
  private readonly joins: RateLimiterMemory;
  private readonly joinsPerAddress: RateLimiterMemory;
  private readonly refusals: Counter<'reason'>;
  readonly handshakeTimeoutMs: number;

  constructor(
    private readonly settings: GatewaySettings,
    @Inject(Registry) registry: Registry,
  ) {
    this.handshakeTimeoutMs = durationMs(settings.handshakeTimeout);
    this.joins = new RateLimiterMemory({ points: settings.maxJoinsPerMinute, duration: 60 });
    this.joinsPerAddress = new RateLimiterMemory({ points: settings.maxJoinsPerMinutePerAddress, duration: 60 });
    this.refusals = new Counter({
      name: 'gateway_unauthenticated_refusals_total',
      help:
        'Unauthenticated callers refused or cut off, by reason: handshake-timeout (no proof in time), ' +
        'pending-handshakes[-per-address] (too many streams not yet authenticated), joins[-per-address] (Join rate).',
      labelNames: ['reason'],
      registers: [registry],
    });
    const pending = () => this.pendingTotal;
    new Gauge({
      name: 'gateway_pending_handshakes',
      help: 'Session streams open and not yet authenticated.',
      registers: [registry],
      collect() {
        this.set(pending());
      },
    });
  }

  /** Admits a new session stream from `peer` until it authenticates; ResourceExhaustedError over either limit. */
  admitHandshake(peer: string): AdmittedHandshake {
    const address = sourceAddress(peer);
    const fromAddress = this.pendingByAddress.get(address) ?? 0;
    if (this.pendingTotal >= this.settings.maxPendingHandshakes) {
      this.refuse('pending-handshakes', address);
      throw new ResourceExhaustedError(
        `too many sessions are authenticating (${this.settings.maxPendingHandshakes}); retry later`,
      );
    }
    if (fromAddress >= this.settings.maxPendingHandshakesPerAddress) {
      this.refuse('pending-handshakes-per-address', address);
      throw new ResourceExhaustedError(
        `too many sessions from ${address} are authenticating (${this.settings.maxPendingHandshakesPerAddress}); retry later`,
      );
    }
    this.pendingTotal++;
    this.pendingByAddress.set(address, fromAddress + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.pendingTotal--;
        const left = (this.pendingByAddress.get(address) ?? 1) - 1;
        if (left > 0) this.pendingByAddress.set(address, left);
        else this.pendingByAddress.delete(address);
      },
    };
  }

  /** Counts a stream cut off for not proving its key within handshakeTimeoutMs. */
  handshakeTimedOut(peer: string): void {
    this.refuse('handshake-timeout', sourceAddress(peer));
  }

  /** Spends one Join attempt of `peer`'s address and of the total; ResourceExhaustedError when either is used up. */
  async admitJoin(peer: string): Promise<void> {
    const address = sourceAddress(peer);
    // The address first: one noisy source must not use up everyone's joins.
    await this.spend(this.joinsPerAddress, address, 'joins-per-address', address);
    await this.spend(this.joins, 'all', 'joins', address);
  }

  private async spend(limiter: RateLimiterMemory, key: string, reason: RefusalReason, address: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      this.refuse(reason, address);
      const seconds = Math.ceil(error.msBeforeNext / 1000);
      throw new ResourceExhaustedError(
        reason === 'joins'
          ? `too many join attempts (${this.settings.maxJoinsPerMinute} a minute); retry in ${seconds} s`
          : `too many join attempts from ${address} (${this.settings.maxJoinsPerMinutePerAddress} a minute); retry in ${seconds} s`,
      );
    }
  }

  private refuse(reason: RefusalReason, address: string): void {
    this.refusals.inc({ reason });
    this.logger.debug({ event: 'unauthenticated-refused', reason, address }, `refused ${address}: ${reason}`);
  }
}

/** The IP address of a grpc-js peer ("127.0.0.1:5000", "[::1]:5000", "ipv4:10.0.0.1:5000"), without the port. */
export function sourceAddress(peer: string): string {
  const withoutScheme = peer.replace(/^(ipv4|ipv6):/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(withoutScheme);
  if (bracketed) return bracketed[1];
  const hostAndPort = /^([^:]+):\d+$/.exec(withoutScheme);
  return hostAndPort ? hostAndPort[1] : withoutScheme;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, NotFoundError, UnauthenticatedError, type Clock } from '@app/runtime';
import { BOOTSTRAP_TOKEN_STORE, type BootstrapTokenRecord, type BootstrapTokenStore } from './bootstrap-token-store.js';

/** What an admin asks for when creating a token. */
export interface NewBootstrapToken {
  /** Lifetime in ms; 0: it never expires. */
  ttlMs: number;
  /** Joins it allows; 0: any number. */
  maxUsages: number;
  labels: Record<string, string>;
}

const TOKEN = /^([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Bootstrap tokens: an admin creates one (lifetime, number of joins, labels)
 * and hands "<id>.<secret>" to whoever installs an agent; a join redeems it.
 * Only the secret's hash is stored, so the full token is shown once, at
 * creation. The store counts a use atomically with checking it (use()), so
 * concurrent joins, through this gateway or others sharing the store, never
 * exceed a token's usages; this gateway's redemptions also run one at a time.
 */
@Injectable()
export class BootstrapTokens {
  private readonly logger = new Logger(BootstrapTokens.name);
  private redeeming: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(BOOTSTRAP_TOKEN_STORE) private readonly store: BootstrapTokenStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(request: NewBootstrapToken): Promise<{ token: string; record: BootstrapTokenRecord }> {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const record: BootstrapTokenRecord = {
      id,
      secretHash: hashOf(secret),
      createdAt: new Date(now),
      expiresAt: request.ttlMs > 0 ? new Date(now + request.ttlMs) : undefined,
      maxUsages: request.maxUsages,
      usages: 0,
      labels: request.labels,
    };
    await this.store.put(record);
    this.logger.log({ event: 'token-created', token: id }, `bootstrap token ${id} created`);
    return { token: `${id}.${secret}`, record };
  }

  list(): Promise<BootstrapTokenRecord[]> {
    return this.store.list();
  }

  /** Revokes the token (it stays listed); NotFoundError when unknown. */
  async revoke(id: string): Promise<BootstrapTokenRecord> {
    const record = await this.store.get(id);
    if (!record) throw new NotFoundError(`no bootstrap token ${id}`);
    if (record.revokedAt) return record;
    const revoked = { ...record, revokedAt: new Date(this.clock.now()) };
    await this.store.put(revoked);
    this.logger.log({ event: 'token-revoked', token: id }, `bootstrap token ${id} revoked`);
    return revoked;
  }

  /**
   * Runs `join` if the token may be used, counting the use first (a crash then
   * under-counts nothing: at worst a use is spent on a join that did not
   * finish); a join that throws gives the use back. UnauthenticatedError for a
   * missing, malformed, unknown, revoked, expired or used-up token — the message
   * says which, never the secret.
   */
  redeem<T>(token: string, join: (record: BootstrapTokenRecord) => Promise<T>): Promise<T> {
    const run = async () => {
      const record = await this.usable(token);
      // The store checks again as it counts, in one step: another gateway on the same store may have used it since.
      if (!(await this.store.use(record.id, new Date(this.clock.now())))) {
        await this.usable(token); // throws what changed: revoked, expired or used up
        throw new UnauthenticatedError(`bootstrap token ${record.id} may not be used now`);
      }
      try {
        return await join(record);
      } catch (error) {
        await this.store.giveBack(record.id);
        throw error;
      }
    };
    const result = this.redeeming.then(run, run);
    this.redeeming = result.catch(() => undefined);
    return result;
  }

  private async usable(token: string): Promise<BootstrapTokenRecord> {
    if (token === '') throw new UnauthenticatedError('a bootstrap token is required to join');
    const match = TOKEN.exec(token);
    if (!match) throw new UnauthenticatedError('the bootstrap token is malformed (expected "<id>.<secret>")');
    const [, id, secret] = match;
    const record = await this.store.get(id);
    if (!record || !timingSafeEqual(Buffer.from(hashOf(secret)), Buffer.from(record.secretHash))) {
      throw new UnauthenticatedError(`bootstrap token ${id} is not known`);
    }
    if (record.revokedAt) throw new UnauthenticatedError(`bootstrap token ${id} was revoked`);
    if (record.expiresAt && record.expiresAt.getTime() <= this.clock.now()) {
      throw new UnauthenticatedError(`bootstrap token ${id} expired at ${record.expiresAt.toISOString()}`);
    }
    if (record.maxUsages > 0 && record.usages >= record.maxUsages) {
      throw new UnauthenticatedError(
        `bootstrap token ${id} is used up (${record.usages} of ${record.maxUsages} joins)`,
      );
    }
    return record;
  }
}

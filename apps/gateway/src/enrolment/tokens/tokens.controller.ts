import { Body, Controller, Delete, Get, Inject, Param, Post } from '@nestjs/common';
import type { CreatedTokenView, TokenView } from '@app/admin-api';
import { CLOCK, InvalidArgumentError, parseDuration, DURATION_RULE, type Clock } from '@app/runtime';
import { GatewaySettings } from '../../config/gateway-settings.js';
import { containerJoinCommand, joinCommand, nodeJoinCommand } from '../join-command/installer-template.js';
import { TLS_IDENTITY } from '../../security/security.tokens.js';
import type { TlsIdentity } from '../../security/tls-identity.js';
import type { BootstrapTokenRecord } from './bootstrap-token-store.js';
import { BootstrapTokens } from './bootstrap-tokens.js';

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;

/**
 * Bootstrap tokens over HTTP (admin token required): create, list, revoke.
 * POST body: {"ttl": "1h", "maxUsages": 1, "labels": {"env": "prod"}}, every
 * field optional (defaults 1h, 1 join, no labels; "0s" / 0: no limit).
 */
@Controller('api/v1/tokens')
export class TokensController {
  constructor(
    private readonly tokens: BootstrapTokens,
    private readonly settings: GatewaySettings,
    @Inject(TLS_IDENTITY) private readonly tls: TlsIdentity,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  async create(@Body() body: unknown): Promise<CreatedTokenView> {
    const { ttl = '1h', maxUsages = 1, labels = {}, ...rest } = (body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new InvalidArgumentError(unknown, 'unknown field (known: ttl, maxUsages, labels)');
    const ttlMs = typeof ttl === 'string' ? parseDuration(ttl) : undefined;
    if (ttlMs === undefined) throw new InvalidArgumentError('ttl', `must be ${DURATION_RULE}; "0s": never expires`);
    if (!Number.isSafeInteger(maxUsages) || (maxUsages as number) < 0) {
      throw new InvalidArgumentError('maxUsages', 'must be a whole number >= 0 (0: any number of joins)');
    }
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
      throw new InvalidArgumentError('labels', 'must be an object of string values');
    }
    for (const [key, value] of Object.entries(labels)) {
      if (!LABEL_KEY.test(key)) throw new InvalidArgumentError(`labels.${key}`, 'is not a valid label key');
      if (typeof value !== 'string' || value.length > 253) {
        throw new InvalidArgumentError(`labels.${key}`, 'must be a string of at most 253 characters');
      }
    }
    const { token, record } = await this.tokens.create({
      ttlMs,
      maxUsages: maxUsages as number,
      labels: labels as Record<string, string>,
    });
    return {
      ...this.view(record),
      token,
      pin: this.tls.pin,
      joinCommand: joinCommand(this.settings.agentAddress, token, this.tls.pin),
      containerJoinCommand: containerJoinCommand(this.settings.agentAddress, token, this.tls.pin),
      nodeJoinCommand: nodeJoinCommand(this.settings.agentAddress, token, this.tls.pin),
    };
  }

  @Get()
  async list(): Promise<{ tokens: TokenView[] }> {
    return { tokens: (await this.tokens.list()).map((record) => this.view(record)) };
  }

  /** Revokes the token: it stays listed, and no agent can join with it any more. */
  @Delete(':id')
  async revoke(@Param('id') id: string): Promise<TokenView> {
    return this.view(await this.tokens.revoke(id));
  }

  private view(record: BootstrapTokenRecord): TokenView {
    const now = this.clock.now();
    const state = record.revokedAt
      ? 'revoked'
      : record.expiresAt && record.expiresAt.getTime() <= now
        ? 'expired'
        : record.maxUsages > 0 && record.usages >= record.maxUsages
          ? 'used-up'
          : 'active';
    return {
      id: record.id,
      state,
      createdAt: record.createdAt.toISOString(),
      expiresAt: record.expiresAt?.toISOString() ?? null,
      maxUsages: record.maxUsages,
      usages: record.usages,
      labels: record.labels,
      revokedAt: record.revokedAt?.toISOString() ?? null,
    };
  }
}

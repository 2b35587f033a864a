export type TokenState = 'active' | 'expired' | 'used-up' | 'revoked';

/** GET /api/v1/tokens: a bootstrap token as listed, never its secret. Times are RFC 3339. */
export interface TokenView {
  id: string;
  state: TokenState;
  createdAt: string;
  /** null: it never expires. */
  expiresAt: string | null;
  /** 0: any number of joins. */
  maxUsages: number;
  usages: number;
  labels: Record<string, string>;
  revokedAt: string | null;
}

/** POST /api/v1/tokens: every field optional (the gateway's defaults: 1h, 1 join, no labels). */
export interface NewTokenRequest {
  /** A duration such as 30s, 15m, 1h, 7d; "0s": never expires. */
  ttl?: string;
  /** 0: any number of joins. A value that is not a number is passed on for the gateway to refuse. */
  maxUsages?: number | string;
  labels?: Record<string, string>;
}

/** A token just created: the only answer that carries its secret. */
export interface CreatedTokenView extends TokenView {
  /** "<id>.<secret>". */
  token: string;
  /** The gateway's public-key pin agents check (AGENT_GATEWAY_PIN). */
  pin: string;
  /** A shell command that joins an agent with this token; it contains "<cluster id>" to fill in. */
  joinCommand: string;
}

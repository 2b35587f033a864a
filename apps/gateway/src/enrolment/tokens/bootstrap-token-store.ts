/** Injection token of the bootstrap tokens' storage (SQLite by default). */
export const BOOTSTRAP_TOKEN_STORE = Symbol('BootstrapTokenStore');

/** A bootstrap token as stored: never its secret, only the secret's SHA-256. */
export interface BootstrapTokenRecord {
  /** Public half of the token ("<id>.<secret>"): names it in the API and logs. */
  id: string;
  /** SHA-256 of the secret half (hex). */
  secretHash: string;
  createdAt: Date;
  /** When it stops being accepted; unset: never. */
  expiresAt?: Date;
  /** How many joins it allows; 0: any number. */
  maxUsages: number;
  usages: number;
  /** Labels every cluster that joins with it gets. */
  labels: Record<string, string>;
  revokedAt?: Date;
}

/**
 * Adapters bound in TokensModule (SQLite, or PostgreSQL shared by several
 * gateways). Writes are durable when they resolve.
 */
export interface BootstrapTokenStore {
  get(id: string): Promise<BootstrapTokenRecord | undefined>;
  /** Every token, in id order. */
  list(): Promise<BootstrapTokenRecord[]>;
  /** Creates or replaces the record. */
  put(record: BootstrapTokenRecord): Promise<void>;
  /**
   * Counts one use of the token if at `at` it may be used (not revoked, not
   * expired, not used up), the check and the count in one atomic step, also
   * against other gateways sharing the store: a token with K uses is used K
   * times however many joins race for it. The record after the use, or
   * undefined (nothing written) when it may not be used or is unknown.
   */
  use(id: string, at: Date): Promise<BootstrapTokenRecord | undefined>;
  /** Gives one use back (a join that failed after use()), never going below 0; nothing for an unknown token. */
  giveBack(id: string): Promise<void>;
  close(): Promise<void>;
}

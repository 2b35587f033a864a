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

/** Adapters bound in TokensModule (SQLite now; NATS JetStream KV later). Writes are durable when they resolve. */
export interface BootstrapTokenStore {
  get(id: string): Promise<BootstrapTokenRecord | undefined>;
  list(): Promise<BootstrapTokenRecord[]>;
  put(record: BootstrapTokenRecord): Promise<void>;
  close(): Promise<void>;
}

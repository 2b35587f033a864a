import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type postgres from 'postgres';
import { UnavailableError } from '@app/runtime';
import type { NodeCall } from '../../sessions/session-directory.js';

/** The most a NOTIFY payload may hold (PostgreSQL's default build refuses 8000 bytes and more). */
export const NOTIFY_PAYLOAD_LIMIT = 7_999;

/** What one replica sends another, as the JSON payload of a NOTIFY on the receiver's channel. */
export type ReplicaMessage =
  /** Make `call` over the cluster's session you hold, and reply on `from`'s channel. */
  | { kind: 'call'; requestId: string; from: string; clusterId: string; call: NodeCall }
  /** The answer to a call (or why there is none: `unavailable` for an UnavailableError). */
  | { kind: 'reply'; requestId: string; answer?: string; error?: string; unavailable?: boolean }
  /** End the cluster's session you hold (its cluster was deleted). */
  | { kind: 'close'; clusterId: string; reason: string; code: number }
  /** Your session of the cluster with this epoch was replaced by a newer one on another replica. */
  | { kind: 'replaced'; clusterId: string; epoch: string };

type Reply = Extract<ReplicaMessage, { kind: 'reply' }>;

/**
 * A replica's channel: a hash of its instance id, since a channel name is an
 * identifier of at most 63 bytes and a host name alone may be that long.
 */
export function replicaChannel(instance: string): string {
  return `gateway_replica_${createHash('sha256').update(instance).digest('hex').slice(0, 32)}`;
}

/**
 * Messages between replicas over LISTEN/NOTIFY: this replica listens on its
 * own channel; a call waits for the reply, matched by request id, for at most
 * `timeoutMs` (NOTIFY is not queued for a replica that is not listening: one
 * that died, or lost its connection, never answers). A payload over NOTIFY's
 * limit fails at once, naming its size.
 */
export class PostgresReplicaMessages {
  private readonly logger = new Logger(PostgresReplicaMessages.name);
  private readonly waiting = new Map<string, { settle: (reply: Reply) => void; timer: NodeJS.Timeout }>();
  private listening: postgres.ListenMeta | undefined;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly instance: string,
    private readonly receive: (message: ReplicaMessage) => void,
  ) {}

  async start(): Promise<void> {
    this.listening = await this.sql.listen(replicaChannel(this.instance), (payload) => this.received(payload));
  }

  async stop(): Promise<void> {
    await this.listening?.unlisten().catch(() => undefined);
    for (const [requestId, { settle, timer }] of this.waiting) {
      clearTimeout(timer);
      settle({ kind: 'reply', requestId, error: 'the gateway is stopping', unavailable: true });
    }
    this.waiting.clear();
  }

  /** Sends `message` to the replica `to`; in `via`'s transaction (delivered when it commits) if given. */
  async send(
    to: string,
    message: ReplicaMessage,
    via: postgres.Sql | postgres.TransactionSql = this.sql,
  ): Promise<void> {
    const payload = JSON.stringify(message);
    const bytes = Buffer.byteLength(payload);
    if (bytes > NOTIFY_PAYLOAD_LIMIT) {
      throw new Error(
        `the ${message.kind} message for replica ${to} is ${bytes} bytes, over the ${NOTIFY_PAYLOAD_LIMIT} a PostgreSQL NOTIFY carries`,
      );
    }
    await via`SELECT pg_notify(${replicaChannel(to)}, ${payload})`;
  }

  /** Asks replica `to` to make `call` over the cluster's session and waits for its answer. */
  async call(to: string, clusterId: string, call: NodeCall, timeoutMs: number): Promise<string> {
    const requestId = randomUUID();
    const replied = new Promise<Reply>((settle) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        const error = `the gateway replica ${to} holding the session of cluster ${clusterId} did not answer within ${timeoutMs} ms`;
        settle({ kind: 'reply', requestId, error, unavailable: true });
      }, timeoutMs);
      this.waiting.set(requestId, { settle, timer });
    });
    try {
      await this.send(to, { kind: 'call', requestId, from: this.instance, clusterId, call });
    } catch (error) {
      clearTimeout(this.waiting.get(requestId)?.timer);
      this.waiting.delete(requestId);
      throw error;
    }
    const reply = await replied;
    if (reply.error === undefined) return reply.answer ?? '';
    throw reply.unavailable ? new UnavailableError(reply.error) : new Error(reply.error);
  }

  private received(payload: string): void {
    let message: ReplicaMessage;
    try {
      message = JSON.parse(payload) as ReplicaMessage;
    } catch (error) {
      this.logger.warn({ event: 'replica-message-unreadable', err: error }, 'ignored an unreadable replica message');
      return;
    }
    if (message.kind !== 'reply') return this.receive(message);
    const waiting = this.waiting.get(message.requestId);
    if (!waiting) return; // timed out already
    this.waiting.delete(message.requestId);
    clearTimeout(waiting.timer);
    waiting.settle(message);
  }
}

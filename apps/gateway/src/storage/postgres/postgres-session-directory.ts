import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type postgres from 'postgres';
import { UnavailableError } from '@app/runtime';
import {
  NODE_CALL_TIMEOUT_MS,
  notConnected,
  REPLACED,
  type HeldSessions,
  type NodeCall,
  type SessionDirectory,
} from '../../sessions/session-directory.js';
import { PostgresReplicaMessages, type ReplicaMessage } from './postgres-session-messages.js';

export interface PostgresSessionDirectoryOptions {
  /** How often this replica records that it is alive. */
  heartbeatMs?: number;
  /** A replica not heard from for this long counts as gone: its sessions are not connected. */
  goneAfterMs?: number;
  /** How long a call routed to another replica waits for its answer (the owner's own call deadline, and some). */
  replyTimeoutMs?: number;
}

/** A replica not heard from for this many times goneAfterMs is removed, with its sessions' rows. */
const REAP_AFTER_GONE = 4;

/** Advisory lock class (with the cluster id's hash) that makes a cluster's claims one at a time. */
const CLAIM_LOCK_CLASS = 0x6761_7353; // "gasS"

/** A session this replica holds: the epoch of its claim, once recorded. */
interface Claim {
  epoch?: string;
}

/**
 * The SessionDirectory of replicas sharing one PostgreSQL database.
 * agent_sessions names the replica holding each cluster's session and the
 * epoch of that claim; gateway_replicas has each replica's heartbeat, so the
 * rows of a replica that died stop counting once it is gone (goneAfterMs),
 * and are removed later. Replicas talk over LISTEN/NOTIFY on a channel each
 * (PostgresReplicaMessages): a call is sent to the owner, which makes it over
 * its session and replies; a claim tells the previous owner, in the claiming
 * transaction, that its session of that epoch was replaced (an older epoch
 * never closes a newer session). Claims and releases of one cluster run in
 * order here, and under a lock across replicas.
 */
export class PostgresSessionDirectory implements SessionDirectory, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresSessionDirectory.name);
  private readonly messages: PostgresReplicaMessages;
  /** The claim of each session this replica holds. */
  private readonly claims = new Map<string, Claim>();
  private readonly queues = new Map<string, Promise<void>>();
  private held: HeldSessions | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private readonly heartbeatMs: number;
  private readonly goneAfterMs: number;
  private readonly replyTimeoutMs: number;

  constructor(
    private readonly sql: postgres.Sql,
    readonly instance: string,
    options: PostgresSessionDirectoryOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 3_000;
    this.goneAfterMs = options.goneAfterMs ?? 3 * this.heartbeatMs;
    this.replyTimeoutMs = options.replyTimeoutMs ?? NODE_CALL_TIMEOUT_MS + 2_000;
    this.messages = new PostgresReplicaMessages(sql, instance, (message) => this.received(message));
  }

  /** Records this replica and listens on its channel; then beats every heartbeatMs. */
  async start(): Promise<void> {
    await this.beat();
    await this.messages.start();
    this.heartbeat = setInterval(
      () =>
        void this.beat().catch((error: Error) =>
          this.logger.warn(
            { event: 'replica-heartbeat-failed', replica: this.instance, err: error },
            `could not record that replica ${this.instance} is alive: ${error.message}`,
          ),
        ),
      this.heartbeatMs,
    );
    this.heartbeat.unref();
    this.logger.log({ event: 'replica-started', replica: this.instance }, `gateway replica ${this.instance}`);
  }

  /** Stops answering and removes this replica's rows: its sessions end with the process. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    await this.messages.stop();
    await this.sql`DELETE FROM gateway_replicas WHERE instance = ${this.instance}`.catch(() => undefined);
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  serve(held: HeldSessions): void {
    this.held = held;
  }

  claim(clusterId: string): Promise<void> {
    const claim: Claim = {};
    this.claims.set(clusterId, claim); // from now on a "replaced" for an earlier epoch closes nothing
    return this.inOrder(clusterId, async () => {
      claim.epoch = await this.sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_CLASS}, hashtext(${clusterId}))`;
        const [previous] = await tx<{ replica: string; epoch: string }[]>`
          SELECT replica, session_epoch::text AS epoch FROM agent_sessions WHERE cluster_id = ${clusterId}`;
        const [claimed] = await tx<{ epoch: string }[]>`
          INSERT INTO agent_sessions (cluster_id, replica, session_epoch, connected_at)
          VALUES (${clusterId}, ${this.instance}, nextval('agent_session_epochs'), now())
          ON CONFLICT (cluster_id) DO UPDATE SET replica = excluded.replica,
            session_epoch = excluded.session_epoch, connected_at = excluded.connected_at
          RETURNING session_epoch::text AS epoch`;
        if (previous && previous.replica !== this.instance) {
          await this.messages.send(previous.replica, { kind: 'replaced', clusterId, epoch: previous.epoch }, tx);
        }
        return claimed.epoch;
      });
    });
  }

  release(clusterId: string): Promise<void> {
    const claim = this.claims.get(clusterId);
    this.claims.delete(clusterId);
    return this.inOrder(clusterId, async () => {
      // After the claim (queued first): only its row goes, a newer claim here or elsewhere stays.
      if (this.stopped || claim?.epoch === undefined) return;
      await this.sql`
        DELETE FROM agent_sessions
        WHERE cluster_id = ${clusterId} AND replica = ${this.instance} AND session_epoch = ${claim.epoch}`;
    });
  }

  async ownerOf(clusterId: string): Promise<string | undefined> {
    const [row] = await this.sql<{ replica: string }[]>`
      SELECT s.replica FROM agent_sessions s JOIN gateway_replicas r ON r.instance = s.replica
      WHERE s.cluster_id = ${clusterId} AND ${this.alive()}`;
    return row?.replica;
  }

  async heldElsewhere(): Promise<Set<string>> {
    const rows = await this.sql<{ cluster_id: string }[]>`
      SELECT s.cluster_id FROM agent_sessions s JOIN gateway_replicas r ON r.instance = s.replica
      WHERE s.replica <> ${this.instance} AND ${this.alive()}`;
    return new Set(rows.map((row) => row.cluster_id));
  }

  /** The condition on gateway_replicas `r` of a replica not yet gone. */
  private alive(): postgres.PendingQuery<postgres.Row[]> {
    return this.sql`r.heartbeat_at > now() - make_interval(secs => ${this.goneAfterMs / 1000})`;
  }

  async call(clusterId: string, call: NodeCall): Promise<string> {
    const owner = await this.ownerOf(clusterId);
    // This replica is asked only for sessions it does not hold: its own row is one that just ended.
    if (owner === undefined || owner === this.instance) throw notConnected(clusterId);
    return this.messages.call(owner, clusterId, call, this.replyTimeoutMs);
  }

  async close(clusterId: string, reason: string, code: GrpcStatus): Promise<void> {
    const owner = await this.ownerOf(clusterId);
    if (owner !== undefined && owner !== this.instance) {
      await this.messages.send(owner, { kind: 'close', clusterId, reason, code });
    }
  }

  private received(message: ReplicaMessage): void {
    switch (message.kind) {
      case 'call':
        void this.answer(message);
        return;
      case 'close':
        this.held?.close(message.clusterId, message.reason, message.code);
        return;
      case 'replaced':
        if (this.claims.get(message.clusterId)?.epoch !== message.epoch) return; // a newer session here, or none
        this.claims.delete(message.clusterId);
        this.held?.close(message.clusterId, REPLACED, GrpcStatus.ABORTED);
        return;
      case 'reply':
        return; // PostgresReplicaMessages matched it to its call
    }
  }

  /** Makes a call another replica sent over the session held here and replies (an error reply when it fails). */
  private async answer({ requestId, from, clusterId, call }: Extract<ReplicaMessage, { kind: 'call' }>): Promise<void> {
    let reply: ReplicaMessage;
    try {
      if (!this.held) throw notConnected(clusterId);
      reply = { kind: 'reply', requestId, answer: await this.held.answer(clusterId, call) };
    } catch (error) {
      reply = this.errorReply(requestId, error);
    }
    try {
      await this.messages.send(from, reply);
    } catch (error) {
      // Too big an answer (or the database is unreachable): the caller learns why, or times out.
      await this.messages
        .send(from, this.errorReply(requestId, error))
        .catch((failed: Error) =>
          this.logger.warn(
            { event: 'replica-reply-failed', cluster: clusterId, replica: from, err: failed },
            `could not answer replica ${from} about cluster ${clusterId}: ${failed.message}`,
          ),
        );
    }
  }

  private errorReply(requestId: string, error: unknown): ReplicaMessage {
    const unavailable = error instanceof UnavailableError;
    return { kind: 'reply', requestId, error: (error as Error).message, unavailable };
  }

  /**
   * Records that this replica is alive, and removes replicas long gone. A
   * replica that was itself removed meanwhile (paused past REAP_AFTER_GONE)
   * puts back the rows of its sessions that no other replica claimed since.
   */
  private async beat(): Promise<void> {
    const [row] = await this.sql<{ created: boolean }[]>`
      INSERT INTO gateway_replicas (instance, heartbeat_at) VALUES (${this.instance}, now())
      ON CONFLICT (instance) DO UPDATE SET heartbeat_at = now()
      RETURNING (xmax = 0) AS created`;
    if (row.created && this.started) {
      for (const [clusterId, { epoch }] of this.claims) {
        if (epoch === undefined) continue;
        await this.sql`
          INSERT INTO agent_sessions (cluster_id, replica, session_epoch, connected_at)
          VALUES (${clusterId}, ${this.instance}, ${epoch}, now()) ON CONFLICT (cluster_id) DO NOTHING`;
      }
    }
    this.started = true;
    await this.sql`
      DELETE FROM gateway_replicas
      WHERE heartbeat_at < now() - make_interval(secs => ${(REAP_AFTER_GONE * this.goneAfterMs) / 1000})`;
  }

  /** Runs `work` after the earlier claims and releases of the cluster (each settled). */
  private inOrder(clusterId: string, work: () => Promise<void>): Promise<void> {
    const done = (this.queues.get(clusterId) ?? Promise.resolve()).then(work);
    const settled = done.catch(() => undefined);
    this.queues.set(clusterId, settled);
    void settled.then(() => this.queues.get(clusterId) === settled && this.queues.delete(clusterId));
    return done;
  }
}

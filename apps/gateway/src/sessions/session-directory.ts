import type { status as GrpcStatus } from '@grpc/grpc-js';
import { UnavailableError } from '@app/runtime';

/** Injection token of the SessionDirectory port, bound by StorageModule to the adapter of GATEWAY_STORAGE. */
export const SESSION_DIRECTORY = Symbol('SessionDirectory');

/** How long the gateway waits for an agent to answer SyncNow or GetHealth. */
export const NODE_CALL_TIMEOUT_MS = 10_000;

/** Why a session ends when a newer one of its cluster started (on this replica or another). */
export const REPLACED = 'replaced by a newer session of the same cluster';

/** A gateway→agent call, as one replica asks the replica holding the agent's session to make it. */
export type NodeCall = { kind: 'syncNow'; capabilityNames: string[] } | { kind: 'getHealth' };

/** What the directory asks of the sessions this replica holds, for other replicas. */
export interface HeldSessions {
  /** Makes `call` over the cluster's session held here; its answer as a string (it travels between replicas). */
  answer(clusterId: string, call: NodeCall): Promise<string>;
  /** Ends the cluster's session held here, if there is one. */
  close(clusterId: string, reason: string, code: GrpcStatus): void;
}

/**
 * Which gateway replica holds each cluster's agent session, and the way to
 * the sessions other replicas hold. An agent keeps one session with whichever
 * replica it reached: that replica claims the cluster (a claim replaces the
 * one of any other replica, which then closes its older session), releases it
 * when the session ends, and answers the calls and closes other replicas send
 * it. AgentSessions and AgentNodes use sessions held in-process first and ask
 * the directory only for the others. One gateway (SQLite) holds every session
 * itself: InProcessSessionDirectory.
 */
export interface SessionDirectory {
  /** Where calls and closes from other replicas go; set once while the application starts. */
  serve(held: HeldSessions): void;
  /** This replica holds the cluster's session now (started here); any other replica's is replaced. */
  claim(clusterId: string): Promise<void>;
  /** The session this replica held ended (unless a newer claim, here or elsewhere, took over). */
  release(clusterId: string): Promise<void>;
  /** The replica instance holding the cluster's session; undefined when no live replica holds it. */
  ownerOf(clusterId: string): Promise<string | undefined>;
  /** The clusters whose sessions other live replicas hold (their agents are connected, to another replica). */
  heldElsewhere(): Promise<Set<string>>;
  /** Makes `call` through the replica holding the cluster's session; UnavailableError when none, or none answers. */
  call(clusterId: string, call: NodeCall): Promise<string>;
  /** Asks the replica holding the cluster's session, if any, to end it. */
  close(clusterId: string, reason: string, code: GrpcStatus): Promise<void>;
}

/** The UnavailableError of a cluster whose agent no replica holds a session of. */
export function notConnected(clusterId: string): UnavailableError {
  return new UnavailableError(`the agent of cluster ${clusterId} is not connected`);
}

/**
 * A single gateway's directory: every session is held in this process, so
 * there is no other replica to ask or to replace sessions on.
 */
export class InProcessSessionDirectory implements SessionDirectory {
  private readonly claimed = new Set<string>();

  serve(): void {}

  async claim(clusterId: string): Promise<void> {
    this.claimed.add(clusterId);
  }

  async release(clusterId: string): Promise<void> {
    this.claimed.delete(clusterId);
  }

  async ownerOf(clusterId: string): Promise<string | undefined> {
    return this.claimed.has(clusterId) ? 'this gateway' : undefined;
  }

  async heldElsewhere(): Promise<Set<string>> {
    return new Set();
  }

  call(clusterId: string): Promise<string> {
    return Promise.reject(notConnected(clusterId));
  }

  async close(): Promise<void> {}
}

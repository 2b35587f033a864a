import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Injection token of this gateway process's replica instance id (a string), bound when replicas share a database. */
export const REPLICA_INSTANCE = Symbol('ReplicaInstance');

/**
 * A new id for this process: the host name (a pod's name in Kubernetes, so
 * logs point at it) and a random suffix, so a restarted process on the same
 * host is another replica and never answers for its predecessor's sessions.
 */
export function newReplicaInstance(): string {
  return `${hostname()}-${randomBytes(4).toString('hex')}`;
}

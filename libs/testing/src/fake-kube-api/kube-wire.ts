// The Kubernetes API's wire format as the fake serves it: paths, Status and discovery
// bodies, list pages with continue tokens, and objects as each API version renders them.
import { toCoreV1, type EventsV1Event } from './event-objects.js';

export const EVENTS_V1 = /^\/apis\/events\.k8s\.io\/v1(?:\/namespaces\/([^/]+))?\/events$/;
export const CORE_V1 = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/events$/;

export /** A watch event as it goes on the wire, one JSON object per line. */
interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/** An object in the fake's store (raw ones, stored unvalidated, have a `~raw/` key). */
export interface Stored {
  key: string;
  namespace: string | undefined;
  object: EventsV1Event | Record<string, unknown>;
}

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** The 403 RBAC answers a service account without permission on events, worded as RBAC words it. */
export function forbidden(verb: 'list' | 'watch', group: string, namespace: string | undefined) {
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  return status(
    403,
    'Forbidden',
    `events${group ? `.${group}` : ''} is forbidden: User "system:serviceaccount:downstream-alerting:no-rbac" cannot ${verb} resource "events" in API group "${group}" ${scope}`,
    { kind: 'events', group },
  );
}

/** The object as the API version serves it: list items carry no kind/apiVersion, watch objects do. */
export function render(stored: Stored, core: boolean, typed: boolean): unknown {
  const object = stored.object;
  if (stored.key.startsWith('~raw/')) return object;
  const rendered = core ? toCoreV1(object as EventsV1Event) : { ...object };
  if (!typed) {
    delete (rendered as Record<string, unknown>).kind;
    delete (rendered as Record<string, unknown>).apiVersion;
  }
  return rendered;
}

/** Where a list page resumes: the first page's resourceVersion and the last key served. */
export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/** The token a `continue` parameter carries, or undefined if it is not one. */
export function decodeContinue(text: string): ContinueToken | undefined {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
  } catch {
    return undefined;
  }
}

export function resourceList(groupVersion: string) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: [
      {
        name: 'events',
        singularName: 'event',
        namespaced: true,
        kind: 'Event',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['ev'],
      },
    ],
  };
}

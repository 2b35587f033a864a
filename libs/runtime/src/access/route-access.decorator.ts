import { SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';

/**
 * Who may call a route or RPC without the admin token. Everything not
 * marked is admin-only: AdminTokenGuard denies by default.
 * - `public`: anyone who can reach the port (probes, metrics, the admin page's files).
 * - `own-credential`: the handler authenticates the caller itself (an agent's
 *   bootstrap token or cluster key), with no admin token involved.
 */
export interface RouteAccess {
  kind: 'public' | 'own-credential';
  /** Why it is open: shown by the route inventory and SECURITY.md. */
  reason: string;
}

export const ROUTE_ACCESS = Symbol('RouteAccess');

/** Opens a handler or controller to anyone who can reach the port; `reason` says why. */
export const Public = (reason: string): ClassDecorator & MethodDecorator =>
  SetMetadata(ROUTE_ACCESS, { kind: 'public', reason } satisfies RouteAccess);

/** A handler or controller that authenticates its callers itself, without the admin token; `reason` says how. */
export const OwnCredential = (reason: string): ClassDecorator & MethodDecorator =>
  SetMetadata(ROUTE_ACCESS, { kind: 'own-credential', reason } satisfies RouteAccess);

/** The access a matched handler was marked with (the method's wins over its controller's); undefined: admin-only. */
export function routeAccess(reflector: Reflector, context: ExecutionContext): RouteAccess | undefined {
  return reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
}

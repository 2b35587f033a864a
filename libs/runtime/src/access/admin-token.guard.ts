import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from '../errors/app-error.js';
import { routeAccess, type RouteAccess } from './route-access.decorator.js';

/** Injection token of the admin bearer token's value. */
export const ADMIN_TOKEN = Symbol('AdminToken');

const BEARER = /^Bearer (\S+)$/i;

/**
 * Deny by default: every HTTP route and gRPC method needs
 * `Authorization: Bearer <admin token>` (HTTP header or gRPC metadata)
 * unless its handler is marked @Public or @OwnCredential. Nest runs guards
 * on the handler a request matched, so the decision is made on the route,
 * never on a spelling of the URL. A missing or wrong token is
 * UNAUTHENTICATED / 401; the token is only ever read from the header.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;
  /** Each handler's marking, read once: the guard runs on every call, the agent's Notify included. */
  private readonly accessByHandler = new WeakMap<object, RouteAccess | null>();

  constructor(
    @Inject(ADMIN_TOKEN) token: string,
    private readonly reflector: Reflector,
  ) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let access = this.accessByHandler.get(handler);
    if (access === undefined) {
      access = routeAccess(this.reflector, context) ?? null;
      this.accessByHandler.set(handler, access);
    }
    if (access) return true;
    const token = bearerToken(context);
    if (!token) throw new UnauthenticatedError('the admin API needs an admin token: Authorization: Bearer <token>');
    if (!timingSafeEqual(digest(token), this.expected)) throw new UnauthenticatedError('the admin token is not valid');
    return true;
  }
}

function bearerToken(context: ExecutionContext): string | undefined {
  let header: string | undefined;
  if (context.getType() === 'http') {
    header = context.switchToHttp().getRequest<{ headers: { authorization?: string } }>().headers.authorization;
  } else if (context.getType() === 'rpc') {
    const [value] = context.switchToRpc().getContext<Metadata>().get('authorization');
    header = typeof value === 'string' ? value : value?.toString();
  }
  return (header && BEARER.exec(header)?.[1]) || undefined;
}

/** Comparing digests keeps timingSafeEqual's inputs the same length whatever was sent. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

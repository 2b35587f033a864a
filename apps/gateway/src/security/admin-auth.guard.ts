import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from '@app/runtime';
import { AGENT_FACING } from './agent-facing.decorator.js';
import { ADMIN_TOKEN } from './security.tokens.js';

const BEARER = /^Bearer (\S+)$/i;

/**
 * Admin access: every HTTP route under /api/ and every gRPC service except
 * the agent-facing ones requires `Authorization: Bearer <admin token>`
 * (HTTP header or gRPC metadata). /healthz and /metrics stay open for probes
 * and Prometheus. A missing or wrong token is UNAUTHENTICATED / 401.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    @Inject(ADMIN_TOKEN) token: string,
    private readonly reflector: Reflector,
  ) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(AGENT_FACING, [context.getHandler(), context.getClass()]))
      return true;
    let header: string | undefined;
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<{ path: string; headers: { authorization?: string } }>();
      if (!request.path.startsWith('/api/')) return true;
      header = request.headers.authorization;
    } else if (context.getType() === 'rpc') {
      const [value] = context.switchToRpc().getContext<Metadata>().get('authorization');
      header = typeof value === 'string' ? value : value?.toString();
    }
    const token = header && BEARER.exec(header)?.[1];
    if (!token) throw new UnauthenticatedError('the admin API needs an admin token: Authorization: Bearer <token>');
    if (!timingSafeEqual(digest(token), this.expected)) throw new UnauthenticatedError('the admin token is not valid');
    return true;
  }
}

/** Comparing digests keeps timingSafeEqual's inputs the same length whatever was sent. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

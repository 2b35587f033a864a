import { Module, type DynamicModule } from '@nestjs/common';
import { AccessModule } from '@app/runtime';
import { TLS_IDENTITY } from './security.tokens.js';
import type { TlsIdentity } from './tls-identity.js';
import { UnauthenticatedAdmission } from './unauthenticated-admission.js';

/**
 * The gateway's security: its TLS identity (what agents pin) and the admin
 * token, both loaded before the servers start (main.ts). Every route and
 * service needs the admin token unless marked @Public or @AgentFacing; what
 * unauthenticated callers may hold or spend is bounded (UnauthenticatedAdmission).
 */
@Module({})
export class SecurityModule {
  static forRoot(tls: TlsIdentity, adminToken: string): DynamicModule {
    return {
      module: SecurityModule,
      global: true,
      imports: [AccessModule.forRoot(adminToken)],
      providers: [{ provide: TLS_IDENTITY, useValue: tls }, UnauthenticatedAdmission],
      exports: [TLS_IDENTITY, AccessModule, UnauthenticatedAdmission],
    };
  }
}

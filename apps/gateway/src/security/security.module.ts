import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { ADMIN_TOKEN, TLS_IDENTITY } from './security.tokens.js';
import type { TlsIdentity } from './tls-identity.js';

/**
 * The gateway's security: its TLS identity (what agents pin) and the admin
 * token, both loaded before the servers start (main.ts), and the guard that
 * requires the admin token on every admin route and service.
 */
@Module({})
export class SecurityModule {
  static forRoot(tls: TlsIdentity, adminToken: string): DynamicModule {
    return {
      module: SecurityModule,
      global: true,
      providers: [
        { provide: TLS_IDENTITY, useValue: tls },
        { provide: ADMIN_TOKEN, useValue: adminToken },
        { provide: APP_GUARD, useClass: AdminAuthGuard },
      ],
      exports: [TLS_IDENTITY, ADMIN_TOKEN],
    };
  }
}

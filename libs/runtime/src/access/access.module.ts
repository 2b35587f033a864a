import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ADMIN_TOKEN, AdminTokenGuard } from './admin-token.guard.js';

/** Binds AdminTokenGuard to every route and RPC of the app, with `adminToken` as the credential. */
@Module({})
export class AccessModule {
  static forRoot(adminToken: string): DynamicModule {
    return {
      module: AccessModule,
      global: true,
      providers: [
        { provide: ADMIN_TOKEN, useValue: adminToken },
        { provide: APP_GUARD, useClass: AdminTokenGuard },
      ],
      exports: [ADMIN_TOKEN],
    };
  }
}

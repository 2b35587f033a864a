import { join } from 'node:path';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, systemClock } from '@app/runtime';
import { GatewaySettings } from '../../config/gateway-settings.js';
import { BOOTSTRAP_TOKEN_STORE, type BootstrapTokenStore } from './bootstrap-token-store.js';
import { BootstrapTokens } from './bootstrap-tokens.js';
import { SqliteBootstrapTokenStore } from './sqlite-bootstrap-token-store.js';
import { TokensController } from './tokens.controller.js';

/** Bootstrap tokens: the store port and its adapter (bound here: SQLite, tokens.db), the service joins redeem, the admin API. */
@Module({
  controllers: [TokensController],
  providers: [
    BootstrapTokens,
    {
      provide: BOOTSTRAP_TOKEN_STORE,
      inject: [GatewaySettings],
      useFactory: (settings: GatewaySettings): BootstrapTokenStore =>
        new SqliteBootstrapTokenStore(join(settings.dataDir, 'tokens.db')),
    },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [BootstrapTokens],
})
export class TokensModule implements OnApplicationShutdown {
  constructor(@Inject(BOOTSTRAP_TOKEN_STORE) private readonly store: BootstrapTokenStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

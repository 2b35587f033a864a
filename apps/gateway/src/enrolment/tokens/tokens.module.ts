import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@app/runtime';
import { BootstrapTokens } from './bootstrap-tokens.js';
import { TokensController } from './tokens.controller.js';

/** Bootstrap tokens: the service joins redeem and the admin API, over the BOOTSTRAP_TOKEN_STORE port (bound by StorageModule). */
@Module({
  controllers: [TokensController],
  providers: [BootstrapTokens, { provide: CLOCK, useValue: systemClock }],
  exports: [BootstrapTokens],
})
export class TokensModule {}

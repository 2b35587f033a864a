import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { NotifierClient } from './notifier-client.js';
import type { NotifierOptions } from './notifier-options.js';
import { ConfigurableNotifierModule, NOTIFIER_OPTIONS } from './notifier.module-definition.js';

/**
 * Provides NotifierClient: `NotifierModule.forRoot({ agentAddress, ... })` or
 * `NotifierModule.forRootAsync({ imports, inject, useFactory })`.
 */
@Module({
  providers: [
    {
      provide: NotifierClient,
      inject: [NOTIFIER_OPTIONS],
      useFactory: (options: NotifierOptions) => new NotifierClient(options),
    },
  ],
  exports: [NotifierClient],
})
export class NotifierModule extends ConfigurableNotifierModule implements OnApplicationShutdown {
  constructor(private readonly client: NotifierClient) {
    super();
  }

  // The last hook of shutdown, so providers can still notify from their onModuleDestroy.
  onApplicationShutdown(): void {
    this.client.close();
  }
}

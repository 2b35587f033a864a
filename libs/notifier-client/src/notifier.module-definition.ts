import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NotifierOptions } from './notifier-options.js';

// Nest's builder writes forRoot/forRootAsync ({ imports, inject, useFactory } or useClass/useExisting).
export const {
  ConfigurableModuleClass: ConfigurableNotifierModule,
  MODULE_OPTIONS_TOKEN: NOTIFIER_OPTIONS,
  ASYNC_OPTIONS_TYPE: NOTIFIER_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NotifierOptions>({ moduleName: 'Notifier' }).setClassMethodName('forRoot').build();

/** What NotifierModule.forRootAsync takes. */
export type NotifierAsyncOptions = typeof NOTIFIER_ASYNC_OPTIONS_TYPE;

import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { NotifierModule } from '@app/notifier-client';
import { HealthzModule, loggerOptions } from '@app/runtime';
import { AlertsController } from './alerts.controller.js';
import { ExampleSettings } from './config/example-settings.js';

const logger = new Logger('Notifier');

/** The example service's composition root. */
@Module({})
export class AppModule {
  static forRoot(settings: ExampleSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions('notifier-example', settings)),
        HealthzModule,
        NotifierModule.forRoot({
          agentAddress: settings.agentAddress,
          // Without this line the service would wait silently while the agent is down.
          onRetry: ({ error, delayMs }) =>
            logger.warn({
              event: 'agent-unreachable',
              agent: settings.agentAddress,
              id: error.notificationId,
              attempts: error.attempts,
              retryInMs: delayMs,
              error: error.message,
            }),
        }),
      ],
      controllers: [AlertsController],
    };
  }
}

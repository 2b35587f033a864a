import { Body, Controller, HttpCode, HttpException, HttpStatus, Post } from '@nestjs/common';
import {
  AgentQueueFullError,
  AgentUnreachableError,
  InvalidNotificationError,
  NotifierClient,
  NotifierError,
  type NotifyResult,
} from '@app/notifier-client';
import { notifyInput, type AlertRequest } from './alert-request.js';

/** The HTTP answer to each way the agent can turn a notification down, naming the id to retry with. */
function httpError(error: NotifierError): HttpException {
  const status =
    error instanceof InvalidNotificationError
      ? HttpStatus.BAD_REQUEST
      : error instanceof AgentQueueFullError
        ? HttpStatus.TOO_MANY_REQUESTS
        : error instanceof AgentUnreachableError
          ? HttpStatus.SERVICE_UNAVAILABLE
          : HttpStatus.BAD_GATEWAY;
  const field = error instanceof InvalidNotificationError ? error.field : undefined;
  return new HttpException(
    { error: error.name, message: error.message, field, id: error.notificationId, attempts: error.attempts },
    status,
  );
}

/** POST /api/v1/alerts: hands one notification to the cluster's agent and answers once it is stored there. */
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(private readonly notifier: NotifierClient) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async send(@Body() request: AlertRequest): Promise<NotifyResult> {
    try {
      return await this.notifier.notify(notifyInput(request));
    } catch (error) {
      throw error instanceof NotifierError ? httpError(error) : error;
    }
  }
}

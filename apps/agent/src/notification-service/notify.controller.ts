import { Controller } from '@nestjs/common';
import { alerting } from '@app/proto';
import { Public } from '@app/runtime';
import { NotificationQueue } from '../queue/notification-queue.js';

/** alerting.NotificationService on the agent's local gRPC port. */
@Controller()
@Public('in-cluster applications notify without a credential; the NetworkPolicy decides who reaches the port')
@alerting.NotificationServiceControllerMethods()
export class NotifyController implements alerting.NotificationServiceController {
  constructor(private readonly queue: NotificationQueue) {}

  notify(request: alerting.AgentNotification): Promise<alerting.NotifyResponse> {
    return this.queue.notify(request);
  }
}

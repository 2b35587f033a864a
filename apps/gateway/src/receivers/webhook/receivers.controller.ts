import { Controller, Get, Param } from '@nestjs/common';
import { NotFoundError } from '@app/runtime';
import { receiverView, type ReceiverView } from './receiver-view.js';
import { ReceiversService } from '../receivers.service.js';

/** Read-only view of the webhook receivers for operators: where each one is and whether it is healthy. */
@Controller('api/v1/receivers')
export class ReceiversController {
  constructor(private readonly receivers: ReceiversService) {}

  @Get()
  list(): { receivers: ReceiverView[] } {
    return { receivers: this.receivers.statuses().map(receiverView) };
  }

  @Get(':name')
  get(@Param('name') name: string): ReceiverView {
    const status = this.receivers.status(name);
    if (!status) throw new NotFoundError(`no receiver named ${JSON.stringify(name)}`);
    return receiverView(status);
  }
}

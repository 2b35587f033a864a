import { Controller, Get, Inject, Param } from '@nestjs/common';
import { CLOCK, NotFoundError, type Clock } from '@app/runtime';
import { ReceiversService } from '../receivers.service.js';
import { alertmanagerView, type AlertmanagerView } from './alertmanager-view.js';

/** Read-only view of the Alertmanager targets for operators: each peer's state, the cursor, the lag. */
@Controller('api/v1/alertmanagers')
export class AlertmanagersController {
  constructor(
    private readonly receivers: ReceiversService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  list(): { alertmanagers: AlertmanagerView[] } {
    const now = this.clock.now();
    return { alertmanagers: this.receivers.alertmanagerStatuses().map((status) => alertmanagerView(status, now)) };
  }

  @Get(':name')
  get(@Param('name') name: string): AlertmanagerView {
    const status = this.receivers.alertmanagerStatus(name);
    if (!status) throw new NotFoundError(`no Alertmanager target named ${JSON.stringify(name)}`);
    return alertmanagerView(status, this.clock.now());
  }
}

import { Controller } from '@nestjs/common';
import { control, type core, type wkt } from '@app/proto';
import { Public } from '@app/runtime';
import { AgentHealth } from './agent-health.js';

/** control.Health on the agent's local gRPC port (the gateway reaches the same over the agent's session). */
@Controller()
@Public('a health probe: readiness and counts, never notification content')
@control.HealthControllerMethods()
export class HealthController implements control.HealthController {
  constructor(private readonly health: AgentHealth) {}

  getHealth(_request: wkt.Empty): core.Health {
    return this.health.health();
  }
}

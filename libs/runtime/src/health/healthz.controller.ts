import { Controller, Get } from '@nestjs/common';

/** Liveness for load balancers and Kubernetes HTTP probes. */
@Controller()
export class HealthzController {
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

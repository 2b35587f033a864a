import { Controller, Get } from '@nestjs/common';
import { Public } from '../access/route-access.decorator.js';

/** Liveness for load balancers and Kubernetes HTTP probes. */
@Controller()
@Public('liveness probes (kubelet, load balancers) carry no credential')
export class HealthzController {
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

import { Module } from '@nestjs/common';
import { HealthzController } from './healthz.controller.js';

/** GET /healthz, for load balancers and Kubernetes HTTP probes. */
@Module({ controllers: [HealthzController] })
export class HealthzModule {}

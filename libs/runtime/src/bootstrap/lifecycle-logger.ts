import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';

/** Logs the start and end of a graceful shutdown, once each, with the signal. */
@Injectable()
export class LifecycleLogger implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private startedAt = 0;

  beforeApplicationShutdown(signal?: string): void {
    this.startedAt = Date.now();
    this.logger.log({ event: 'stopping', signal }, `stopping on ${signal ?? 'request'}`);
  }

  onApplicationShutdown(signal?: string): void {
    const tookMs = Date.now() - this.startedAt;
    this.logger.log({ event: 'stopped', signal, tookMs }, `stopped in ${tookMs} ms`);
  }
}

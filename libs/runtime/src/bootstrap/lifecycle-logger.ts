import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';

/** Logs the start and end of a graceful shutdown, once each, with the signal. */
@Injectable()
export class LifecycleLogger implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private startedAt = 0;

  beforeApplicationShutdown(signal?: string): void {
    this.startedAt = Date.now();
    // A terminal's Ctrl-C reaches the whole process group and a supervisor (npm start) forwards it too:
    // a repeat arriving after Nest's handler detached, before it exits the process, must not kill the
    // process by the signal's default action (exit by signal instead of code 0).
    if (signal) for (const stop of ['SIGTERM', 'SIGINT']) process.on(stop, ignoreRepeatedStopSignal);
    this.logger.log({ event: 'stopping', signal }, `stopping on ${signal ?? 'request'}`);
  }

  onApplicationShutdown(signal?: string): void {
    const tookMs = Date.now() - this.startedAt;
    this.logger.log({ event: 'stopped', signal, tookMs }, `stopped in ${tookMs} ms`);
  }
}

/** Nest's shutdown, already under way, ends the process; a repeated stop signal changes nothing. */
function ignoreRepeatedStopSignal(): void {}

import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { backoffDelay, FailedPreconditionError, type BackoffPolicy } from '@app/runtime';
import { SessionCallError, type SessionPeer } from '@app/session';
import { AgentSettings } from '../../config/agent-settings.js';
import { NotificationQueue, type TakenNotification } from '../../queue/notification-queue.js';
import { GatewayConnection, type SessionUser } from '../session/gateway-connection.js';
import { PushGate } from './push-gate.js';
import { PushMetrics } from './push-metrics.js';

/** Injection token of the policy for retrying a push the gateway failed (not refused). */
export const PUSH_RETRY_POLICY = Symbol('PushRetryPolicy');

/**
 * Notifications taken and pushed per event-loop turn at most. The session
 * sends a turn's frames as one message, so a whole window taken at once
 * travels as one message and comes back as one: the gateway then works while
 * the agent waits and the other way round. In chunks, the gateway stores and
 * answers one chunk while the agent prepares the next.
 */
export const PUSH_CHUNK = 128;

/** One session's drain: what it has pushed and not seen resolved, and how to wake its pump. */
class Drain {
  readonly outstanding = new Set<string>();
  ended = false;
  /** A pump is running for this session (at most one: the gate may open and close several times). */
  pumping = false;
  private wakeUp?: () => void;

  constructor(readonly peer: SessionPeer) {}

  /** Resolves at the next wake() (a slot freed, the session ended, something queued). */
  sleep(alsoOn?: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      void alsoOn?.then(resolve);
    });
  }

  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }
}

/**
 * Drains the queue to the gateway over the current session while the push
 * gate is open (alerting installed for the cluster), most important first, with up to `pushWindow` notifications pushed and not yet resolved.
 * Push carries the notification (opni_uuid = the agent's id) and its attempt
 * number; the gateway's Resolve(id), sent once it has stored it durably, is
 * what deletes it here. When the session ends, everything in flight goes
 * back to the queue and is pushed again on the next session (the gateway
 * deduplicates). A notification the gateway refuses as invalid goes to the
 * dead-letter table; any other failure is retried after a backoff.
 */
@Injectable()
export class PushLoop implements SessionUser, OnModuleInit {
  private readonly logger = new Logger(PushLoop.name);
  private drain?: Drain;
  /** Pushes failed in a row (not refusals): paces retries while the gateway struggles. */
  private failuresInARow = 0;

  constructor(
    private readonly queue: NotificationQueue,
    private readonly connection: GatewayConnection,
    private readonly settings: AgentSettings,
    private readonly metrics: PushMetrics,
    private readonly gate: PushGate,
    @Inject(PUSH_RETRY_POLICY) private readonly retryPolicy: BackoffPolicy,
  ) {}

  onModuleInit(): void {
    this.connection.use(this);
    this.gate.onChange((open) => {
      const drain = this.drain;
      if (!drain) return;
      if (open) this.startPump(drain);
      else drain.wake(); // the pump sees the gate closed and stops; what is in flight still resolves
    });
  }

  sessionStarted(peer: SessionPeer): void {
    const drain = new Drain(peer);
    peer.serve('alerting.PushNotificationService', {
      push: async () => {
        throw new FailedPreconditionError('Push is served by the gateway, not by the agent');
      },
      resolve: async ({ id }) => {
        const deleted = this.queue.resolve(id);
        // Stored at the gateway: its window slot is free now, whether or not the delete here is durable yet.
        if (drain.outstanding.delete(id)) drain.wake();
        await deleted;
        this.metrics.resolved();
        return {};
      },
    });
    this.drain = drain;
    if (this.gate.open) this.startPump(drain);
  }

  private startPump(drain: Drain): void {
    if (drain.pumping || drain.ended) return;
    drain.pumping = true;
    this.logger.log({ event: 'push-started' }, 'pushing the queue to the gateway');
    void this.pump(drain)
      .catch((error: Error) => {
        this.logger.error({ event: 'push-loop-failed', err: error }, `the push loop stopped: ${error.message}`);
      })
      .finally(() => {
        drain.pumping = false;
        if (!drain.ended && !this.gate.open) {
          this.logger.log({ event: 'push-stopped' }, 'alerting is not enabled: queuing without pushing');
        }
        // The gate may have closed and opened again while this pump was winding down.
        if (this.gate.open && this.drain === drain) this.startPump(drain);
      });
  }

  sessionEnded(): void {
    const drain = this.drain;
    if (!drain) return;
    this.drain = undefined;
    drain.ended = true;
    drain.wake();
    const returned = this.queue.requeue();
    if (returned > 0)
      this.logger.log({ event: 'push-requeued', count: returned }, `${returned} unresolved notifications requeued`);
  }

  private async pump(drain: Drain): Promise<void> {
    const window = this.settings.pushWindow;
    while (!drain.ended && this.gate.open) {
      const room = Math.min(window - drain.outstanding.size, PUSH_CHUNK);
      if (room <= 0) {
        await drain.sleep();
        continue;
      }
      let taken: TakenNotification[];
      try {
        taken = await this.queue.take(room);
      } catch (error) {
        // Reading the queue failed (the store is in trouble): keep the session and try again shortly.
        const delay = backoffDelay(++this.failuresInARow, this.retryPolicy);
        this.logger.error(
          { event: 'push-take-failed', err: error, retryInMs: delay },
          `could not read the queue to push: ${(error as Error).message}`,
        );
        await drain.sleep(new Promise((resolve) => setTimeout(resolve, delay)));
        continue;
      }
      if (drain.ended || !this.gate.open) {
        // The session ended (or alerting was disabled) while taking: these were marked in flight after the rest was requeued.
        this.queue.requeue(taken.map((t) => t.id));
        return;
      }
      if (taken.length === 0) {
        await drain.sleep(this.queue.whenAvailable());
        continue;
      }
      for (const notification of taken) {
        drain.outstanding.add(notification.id);
        void this.push(drain, notification);
      }
      // Lets this chunk go out as its own message (and the gateway's answers in) before taking the next.
      await nextTurn();
    }
  }

  private async push(drain: Drain, taken: TakenNotification): Promise<void> {
    try {
      // The stored bytes with opni_uuid appended: decoding and encoding each notification cost ~10% of a drain.
      await drain.peer.callEncoded('alerting.PushNotificationService', 'push', taken.encoded, {
        metadata: { attempt: String(taken.attempt) },
      });
      this.failuresInARow = 0;
      this.metrics.pushed('accepted');
      // Stays outstanding until the gateway's Resolve.
    } catch (error) {
      if (drain.ended) return; // requeued with the rest of the session
      const { code, message } =
        error instanceof SessionCallError ? error : { code: GrpcStatus.UNKNOWN, message: String(error) };
      if (code === GrpcStatus.INVALID_ARGUMENT && (await this.deadLetter(taken.id, message))) {
        this.metrics.pushed('refused');
      } else {
        this.metrics.pushed('failed');
        const delay = backoffDelay(++this.failuresInARow, this.retryPolicy);
        this.logger.warn(
          { event: 'push-failed', id: taken.id, code: GrpcStatus[code], reason: message, retryInMs: delay },
          `push of ${taken.id} failed (${GrpcStatus[code]}: ${message}); retrying`,
        );
        // Hold the window slot while waiting, so a struggling gateway is not hammered.
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (drain.ended) return;
        this.queue.requeue([taken.id]);
      }
      drain.outstanding.delete(taken.id);
      drain.wake();
    }
  }

  /** False when the dead letter could not be stored: the entry stays queued and is retried like a failure. */
  private async deadLetter(id: string, reason: string): Promise<boolean> {
    try {
      await this.queue.deadLetter(id, reason);
      return true;
    } catch (error) {
      this.logger.error(
        { event: 'dead-letter-failed', id, err: error },
        `could not move refused notification ${id} to the dead-letter table: ${(error as Error).message}`,
      );
      return false;
    }
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { newNotificationId } from '@app/notification-model';
import { backoffDelay } from '@app/client-runtime';
import { createUnaryClient, type UnaryClient } from '@app/proto';
import { AgentUnreachableError, notifierError, NotifyFailedError } from './notifier-errors.js';
import { resolveNotifierOptions, type NotifierOptions, type ResolvedNotifierOptions } from './notifier-options.js';
import { agentNotification, type NotifyInput, type NotifyResult } from './notify-input.js';

/**
 * Sends notifications to an agent's alerting.NotificationService.Notify over
 * one gRPC channel, reused by every call until close(). A call the agent did
 * not answer (UNAVAILABLE, DEADLINE_EXCEEDED) is retried with backoff within
 * the retry budget, always under the same id, so a retry never doubles a
 * notification the agent did store.
 */
export class NotifierClient {
  readonly options: ResolvedNotifierOptions;
  private readonly client: UnaryClient<'alerting.NotificationService'>;
  /** Aborted by close(): ends the backoff waits of calls in progress. */
  private readonly closing = new AbortController();

  constructor(options: NotifierOptions) {
    this.options = resolveNotifierOptions(options);
    const { initialMs, maxMs } = this.options.retry;
    // grpc-js waits 1 s, growing to 2 min, before it dials a refused address
    // again, failing calls meanwhile: without these, a retry would find the
    // agent back up and still fail until that longer wait ends.
    const tls = this.options.tls;
    const channel = tls ? credentials.createSsl(Buffer.from(tls.caPem)) : credentials.createInsecure();
    this.client = createUnaryClient('alerting.NotificationService', this.options.agentAddress, channel, {
      'grpc.initial_reconnect_backoff_ms': initialMs,
      'grpc.max_reconnect_backoff_ms': maxMs,
    });
  }

  /**
   * Sends one notification and resolves once the agent has stored it (or
   * coalesced it into a queued one). Rejects with a NotifierError subclass.
   */
  async notify(input: NotifyInput): Promise<NotifyResult> {
    const id = input.id || newNotificationId();
    const request = agentNotification(input, id);
    const { timeoutMs, retry } = this.options;
    const budgetEnds = Date.now() + retry.maxElapsedMs;
    for (let attempt = 1; ; attempt++) {
      if (this.closing.signal.aborted) throw closedError(id, attempt - 1);
      try {
        const reply = await this.client.notify(request, { deadline: Math.min(Date.now() + timeoutMs, budgetEnds) });
        return { id: reply.id, coalesced: reply.coalesced, attempts: attempt };
      } catch (error) {
        const failure = notifierError(error, id, attempt);
        const delayMs = backoffDelay(attempt, retry);
        const retryable = failure instanceof AgentUnreachableError && attempt < retry.maxAttempts;
        if (!retryable || Date.now() + delayMs >= budgetEnds) throw failure;
        this.options.onRetry?.({ error: failure, delayMs });
        await sleep(delayMs, undefined, { signal: this.closing.signal }).catch(() => {
          throw closedError(id, attempt);
        });
      }
    }
  }

  /** Closes the channel; calls waiting to retry end with NotifyFailedError (CANCELLED). Idempotent. */
  close(): void {
    this.closing.abort();
    this.client.close();
  }
}

function closedError(id: string, attempts: number): NotifyFailedError {
  return new NotifyFailedError(GrpcStatus.CANCELLED, 'the notifier client was closed', id, attempts);
}

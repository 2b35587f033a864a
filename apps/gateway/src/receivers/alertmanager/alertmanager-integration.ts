import type { alerting } from '@app/proto';
import type { Clock } from '@app/runtime';
import type {
  DeliveryIntegration,
  FailedOutcome,
  PostOutcome,
  PreparedBatch,
  RejectedNotification,
  SendOutcome,
} from '../delivery/delivery-integration.js';
import { postableAlertOf } from './alertmanager-alert.js';
import { AlertmanagerClient } from './alertmanager-client.js';
import type { AlertmanagerTargetConfig } from './alertmanager-target-config.js';

/**
 * Answers that blame the payload rather than the connection: Alertmanager's
 * 400 for an invalid alert (it stores the valid ones of the batch anyway),
 * 413 for a body too large, 422 for one its API schema refuses.
 */
const PAYLOAD_REJECTIONS = new Set([400, 413, 422]);

/** One Alertmanager's latest answer, for the API and the metrics. */
export interface PeerStatus {
  url: string;
  /** undefined until the first POST. */
  up?: boolean;
  lastError?: { message: string; statusCode?: number; at: Date };
  lastSuccessAt?: Date;
  counts: { successes: number; failures: number };
}

/**
 * An Alertmanager target: each batch goes to every peer (alerts are not
 * gossiped between Alertmanagers, so Prometheus posts to each too) and is
 * done when one of them accepted it. A batch refused for its content is
 * split in halves until the offending notifications are alone: those are
 * rejected with Alertmanager's message, the rest delivered.
 */
export class AlertmanagerIntegration implements DeliveryIntegration {
  readonly kind = 'alertmanager';
  private readonly client: AlertmanagerClient;
  private readonly peers: PeerStatus[];

  constructor(
    private readonly config: AlertmanagerTargetConfig,
    private readonly externalURL: string,
    private readonly clock: Clock,
  ) {
    this.client = new AlertmanagerClient(config);
    this.peers = this.client.peers.map(({ url }) => ({ url, counts: { successes: 0, failures: 0 } }));
  }

  peerStatuses(): PeerStatus[] {
    return this.peers.map((peer) => ({ ...peer, counts: { ...peer.counts } }));
  }

  prepare(batch: readonly alerting.StoredNotification[]): PreparedBatch {
    const options = { externalURL: this.externalURL, lifetimeMs: this.config.lifetimeMs };
    return { batch, body: JSON.stringify(batch.map((stored) => postableAlertOf(stored, options))) };
  }

  async send(prepared: PreparedBatch, cancel: AbortSignal): Promise<SendOutcome> {
    const { batch } = prepared;
    const outcome = await this.postToAll(prepared.body, cancel);
    if (outcome.ok) return { ok: true, rejected: [] };
    if (outcome.kind !== 'rejected' || !PAYLOAD_REJECTIONS.has(outcome.status ?? 0)) return outcome;
    if (batch.length === 1) {
      const rejected: RejectedNotification = { stored: batch[0], status: outcome.status, message: outcome.message };
      return { ok: true, rejected: [rejected] };
    }
    const middle = Math.ceil(batch.length / 2);
    const rejected: RejectedNotification[] = [];
    for (const half of [batch.slice(0, middle), batch.slice(middle)]) {
      const result = await this.send(this.prepare(half), cancel);
      // A half that fails otherwise (Alertmanager went away) fails the batch: it is sent again whole.
      if (!result.ok) return result;
      rejected.push(...result.rejected);
    }
    return { ok: true, rejected };
  }

  close(): void {
    this.client.close();
  }

  /** POSTs to every peer at once; ok when one accepted. Otherwise the most hopeful failure: transient before rejected. */
  private async postToAll(body: string, cancel: AbortSignal): Promise<PostOutcome> {
    const outcomes = await Promise.all(
      this.client.peers.map(async (_, index) => {
        const outcome = await this.client.post(index, body, cancel);
        this.record(index, outcome);
        return outcome;
      }),
    );
    const accepted = outcomes.find((outcome) => outcome.ok);
    if (accepted) return accepted;
    const failures = outcomes as FailedOutcome[];
    const payload = failures.find((f) => f.kind === 'rejected' && PAYLOAD_REJECTIONS.has(f.status ?? 0));
    // Every peer validates alike: one refusing the payload while the others are down still names the offender.
    if (payload) return payload;
    const chosen = failures.find((f) => f.kind === 'transient') ?? failures[0];
    const message =
      failures.length === 1
        ? chosen.message
        : failures.map((f, index) => `${this.client.peers[index].url}: ${f.message}`).join('; ');
    return { ...chosen, message };
  }

  private record(index: number, outcome: PostOutcome): void {
    const peer = this.peers[index];
    const at = new Date(this.clock.now());
    peer.up = outcome.ok;
    if (outcome.ok) {
      peer.counts.successes++;
      peer.lastSuccessAt = at;
    } else {
      peer.counts.failures++;
      peer.lastError = { message: outcome.message, statusCode: outcome.status, at };
    }
  }
}

import type { alerting } from '@app/proto';
import { webhookMessage } from './webhook-payload.js';
import type { DeliveryIntegration, PreparedBatch, SendOutcome } from '../delivery/delivery-integration.js';
import type { ReceiverConfig } from './receiver-config.js';
import { webhookTarget, type WebhookClient, type WebhookTarget } from './webhook-client.js';

/** A webhook receiver: each batch is one POST of Alertmanager's webhook payload. */
export class WebhookIntegration implements DeliveryIntegration {
  readonly kind = 'webhook';
  private readonly target: WebhookTarget;

  constructor(
    private readonly config: ReceiverConfig,
    private readonly client: WebhookClient,
    private readonly externalURL: string,
  ) {
    this.target = webhookTarget(config.url, config.headers, config.timeoutMs);
  }

  prepare(batch: readonly alerting.StoredNotification[]): PreparedBatch {
    return { batch, body: JSON.stringify(webhookMessage(this.config.name, batch, this.externalURL)) };
  }

  async send({ body }: PreparedBatch, cancel: AbortSignal): Promise<SendOutcome> {
    const outcome = await this.client.post(this.target, body, cancel);
    return outcome.ok ? { ok: true, rejected: [] } : outcome;
  }
}

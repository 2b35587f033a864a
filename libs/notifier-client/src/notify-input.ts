import { NotificationProperty, type GoldenSignalName, type SeverityName } from '@app/notification-model';
import type { alerting } from '@app/proto';

/** One notification to send. The agent validates it (and answers InvalidNotificationError). */
export interface NotifyInput {
  title: string;
  body: string;
  /** Sets opni_severity; the agent takes Info when absent. */
  severity?: SeverityName;
  /** Sets opni_goldenSignal; the agent takes Custom when absent. */
  goldenSignal?: GoldenSignalName;
  /** Sets opni_dedupe_key: a notification with the same key still queued at the agent is updated, not doubled. */
  dedupeKey?: string;
  /** Further properties; the fields above win over the same keys here. */
  properties?: Record<string, string>;
  /** The notification's id; a UUIDv7 when absent or empty. Sending the same id again never doubles it. */
  id?: string;
}

/** The agent's answer. */
export interface NotifyResult {
  /** The id the agent keeps it under: the one sent, or the queued entry's it was coalesced into. */
  id: string;
  /** True when it merged into a queued notification with the same dedupe key. */
  coalesced: boolean;
  /** Calls of Notify it took (1 unless the agent was unreachable at first). */
  attempts: number;
}

/** The Notify request for `input` under `id`. */
export function agentNotification(input: NotifyInput, id: string): alerting.AgentNotification {
  const properties: Record<string, string> = { ...input.properties };
  if (input.severity !== undefined) properties[NotificationProperty.severity] = input.severity;
  if (input.goldenSignal !== undefined) properties[NotificationProperty.goldenSignal] = input.goldenSignal;
  if (input.dedupeKey !== undefined) properties[NotificationProperty.dedupeKey] = input.dedupeKey;
  return { id, message: { title: input.title, body: input.body, properties } };
}

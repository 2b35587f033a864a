import {
  GOLDEN_SIGNALS,
  searchWords,
  SEVERITIES,
  type GoldenSignal,
  type NotificationJson,
  type Severity,
} from '@app/admin-api';
import { matchesText } from './notification-filter.js';

/** The notifications view's filters and order, kept in the address (#/notifications?…): bookmarkable, shareable. */
export interface NotificationViewState {
  /** '' : every cluster. */
  cluster: string;
  /** Empty: every severity. */
  severities: Severity[];
  goldenSignal: GoldenSignal | '';
  /** RFC 3339, or '' for no bound. */
  since: string;
  until: string;
  /** Words searched by the gateway (its `q`): each starts a word of the title, body or a property value. */
  text: string;
  /** '' : any; else only notifications with this opni_dedupe_key. */
  dedupeKey: string;
  /** "severity": most severe first, then newest (the gateway's order=severity). */
  order: 'newest' | 'severity';
  /** '' : none; else the id of the notification whose dialog is open (a permalink; in `cluster` when set). */
  notification: string;
}

export const DEFAULT_VIEW_STATE: NotificationViewState = {
  cluster: '',
  severities: [],
  goldenSignal: '',
  since: '',
  until: '',
  text: '',
  dedupeKey: '',
  order: 'newest',
  notification: '',
};

const isTime = (text: string) => text !== '' && !Number.isNaN(Date.parse(text));

export function viewStateFrom(search: string): NotificationViewState {
  const params = new URLSearchParams(search);
  const signal = params.get('goldenSignal') ?? '';
  return {
    cluster: params.get('cluster') ?? '',
    severities: SEVERITIES.filter((severity) => params.getAll('severity').includes(severity)),
    goldenSignal: (GOLDEN_SIGNALS as readonly string[]).includes(signal) ? (signal as GoldenSignal) : '',
    since: isTime(params.get('since') ?? '') ? params.get('since')! : '',
    until: isTime(params.get('until') ?? '') ? params.get('until')! : '',
    text: params.get('q') ?? '',
    dedupeKey: params.get('dedupeKey') ?? '',
    order: params.get('order') === 'severity' ? 'severity' : 'newest',
    notification: params.get('notification') ?? '',
  };
}

export function viewStateSearch(state: NotificationViewState): string {
  const params = new URLSearchParams();
  if (state.cluster) params.set('cluster', state.cluster);
  for (const severity of state.severities) params.append('severity', severity);
  if (state.goldenSignal) params.set('goldenSignal', state.goldenSignal);
  if (state.since) params.set('since', state.since);
  if (state.until) params.set('until', state.until);
  if (state.text) params.set('q', state.text);
  if (state.dedupeKey) params.set('dedupeKey', state.dedupeKey);
  if (state.order !== 'newest') params.set('order', state.order);
  if (state.notification) params.set('notification', state.notification);
  return params.toString();
}

/** The filters, as the gateway takes them (text without words, punctuation only, searches nothing: left out). */
function gatewayParams(state: NotificationViewState, withSeverities: boolean): URLSearchParams {
  const params = new URLSearchParams();
  if (state.cluster) params.set('cluster', state.cluster);
  if (withSeverities) for (const severity of state.severities) params.append('severity', severity);
  if (state.goldenSignal) params.set('goldenSignal', state.goldenSignal);
  if (state.since) params.set('since', new Date(state.since).toISOString());
  if (state.until) params.set('until', new Date(state.until).toISOString());
  if (searchWords(state.text).length > 0) params.set('q', state.text);
  if (state.dedupeKey) params.set('dedupeKey', state.dedupeKey);
  return params;
}

export function listPath(state: NotificationViewState, limit: number, cursor?: string): string {
  const params = gatewayParams(state, true);
  if (state.order !== 'newest') params.set('order', state.order);
  params.set('limit', String(limit));
  if (cursor !== undefined) params.set('cursor', cursor);
  return `/api/v1/notifications?${params}`;
}

/** The severity counts ignore the severity choice: the chips show what each would add. */
export function countsPath(state: NotificationViewState): string {
  const params = gatewayParams(state, false).toString();
  return `/api/v1/notifications/counts${params ? `?${params}` : ''}`;
}

/** The notification a permalink opens, by id (in its cluster when the view has one). */
export function byIdPath(state: NotificationViewState): string {
  const cluster = state.cluster ? `?${new URLSearchParams({ cluster: state.cluster })}` : '';
  return `/api/v1/notifications/${encodeURIComponent(state.notification)}${cluster}`;
}

/** Whether a notification that arrived live belongs in the list (the stream filters only cluster and a minimum severity). */
export function matchesView(notification: NotificationJson, state: NotificationViewState): boolean {
  const received = Date.parse(notification.receivedAt);
  return (
    (state.cluster === '' || notification.clusterId === state.cluster) &&
    (state.severities.length === 0 || state.severities.includes(notification.severity)) &&
    (state.goldenSignal === '' || notification.goldenSignal === state.goldenSignal) &&
    (state.since === '' || received >= Date.parse(state.since)) &&
    (state.until === '' || received < Date.parse(state.until)) &&
    (state.dedupeKey === '' || notification.properties.opni_dedupe_key === state.dedupeKey) &&
    matchesText(notification, state.text)
  );
}

/** The least severe of the chosen severities (every one when none is chosen): the stream's minSeverity. */
export function streamMinSeverity(state: NotificationViewState): Severity {
  return SEVERITIES.find((severity) => state.severities.length === 0 || state.severities.includes(severity))!;
}

/** Most severe first, then newest first. */
export function bySeverity(a: NotificationJson, b: NotificationJson): number {
  const difference = SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity);
  return difference !== 0 ? difference : Number(BigInt(b.seq) - BigInt(a.seq));
}

// The browser-free logic of the bootstrap tokens view: turning the form into
// the API's request, finding the field a refusal names, and filling the
// cluster id into the join command. Specs in apps/admin-web/test.
import { JOIN_CLUSTER_ID_DEFAULT, type NewTokenRequest, type TokenView } from '@app/admin-api';

/** One label row of the form; `id` keeps rows apart while they are added and removed. */
export interface LabelRow {
  id: number;
  key: string;
  value: string;
}

/** What the form shows next to a field: the field (`ttl`, `maxUsages`, `labels`), the label row if one, and why. */
export interface FieldError {
  field: string;
  row?: number;
  message: string;
}

export interface TokenForm {
  ttl: string;
  maxUsages: string;
  labels: LabelRow[];
}

/** What the gateway's join command carries for the cluster id: a shell default the page replaces. */
export const CLUSTER_ID_PLACEHOLDER = JOIN_CLUSTER_ID_DEFAULT;

/** The gateway's rule for cluster ids (apps/gateway/src/clusters/cluster-id.ts). */
const CLUSTER_ID = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;

/**
 * The request the form asks for, or the first problem the page can tell by
 * itself: a label with a value but no key, a key given twice. Rows with
 * neither key nor value are ignored. Everything else (the TTL's form, label
 * keys, numbers) the gateway checks, and its 400 names the field.
 */
export function tokenRequest(form: TokenForm): { request: NewTokenRequest } | { error: FieldError } {
  const labels: Record<string, string> = {};
  for (const row of form.labels) {
    const key = row.key.trim();
    if (key === '' && row.value.trim() === '') continue;
    if (key === '')
      return { error: { field: 'labels', row: row.id, message: 'labels: a label has a value but no key' } };
    if (Object.hasOwn(labels, key)) {
      return { error: { field: 'labels', row: row.id, message: `labels: the key ${key} is given twice` } };
    }
    labels[key] = row.value.trim();
  }
  const maxUsages = form.maxUsages.trim();
  return {
    request: {
      ttl: form.ttl.trim(),
      // A whole number is sent as one; anything else as typed, for the gateway to refuse with its own words.
      maxUsages: /^\d+$/.test(maxUsages) ? Number(maxUsages) : maxUsages,
      labels,
    },
  };
}

/**
 * The form field a gateway refusal names: its messages start with the field
 * ("ttl: must be …", "labels.env: is not a valid label key"). A label key
 * leads to the row that holds it.
 */
export function fieldErrorOf(message: string, rows: LabelRow[]): FieldError {
  const named = /^([A-Za-z]+)(?:\.([^:]*))?: /.exec(message);
  if (!named) return { field: '', message };
  const [, field, labelKey] = named;
  if (field === 'labels' && labelKey !== undefined) {
    const row = rows.find((candidate) => candidate.key.trim() === labelKey);
    return { field, row: row?.id, message };
  }
  return { field, message };
}

export function isClusterId(id: string): boolean {
  return CLUSTER_ID.test(id);
}

/** The join command with the cluster id filled in; the shell default stays while none (or no valid one) is given. */
export function joinCommandFor(joinCommand: string, clusterId: string): string {
  const id = clusterId.trim();
  return isClusterId(id) ? joinCommand.replaceAll(CLUSTER_ID_PLACEHOLDER, id) : joinCommand;
}

/** "1 of 1", or "3 (no limit)" for a token any number of agents may join with. */
export function usagesText(token: Pick<TokenView, 'usages' | 'maxUsages'>): string {
  return token.maxUsages === 0 ? `${token.usages} (no limit)` : `${token.usages} of ${token.maxUsages}`;
}

/** Labels as `key=value`, comma-separated ("—" for none). */
export function labelsText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '—' : entries.map(([key, value]) => `${key}=${value}`).join(', ');
}

/** Newest first: the one just created at the top. */
export function newestFirst(tokens: TokenView[]): TokenView[] {
  return [...tokens].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

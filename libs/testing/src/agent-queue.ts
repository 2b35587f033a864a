import { adminHeaders } from './gateway-secrets.js';

/** One entry of the agent's GET /api/v1/queue listing (drain order). */
export interface AgentQueueEntry {
  id: string;
  seq: number;
  severity: string;
  bytes: number;
  createdAt: string;
  attempts: number;
  occurrences: number;
  dedupeKey?: string;
}

/** The agent's GET /api/v1/queue answer, with every page's entries joined. */
export interface AgentQueueListing {
  count: number;
  bytes: number;
  inFlight: number;
  depth: Record<string, number>;
  entries: AgentQueueEntry[];
}

/** The largest page GET /api/v1/queue serves. */
export const AGENT_QUEUE_MAX_LIMIT = 100_000;

async function getJson<T>(httpAddress: string, path: string): Promise<T> {
  const url = `http://${httpAddress}${path}`;
  const response = await fetch(url, { headers: adminHeaders(httpAddress) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/**
 * The agent's whole queue in drain order, read page by page from
 * GET /api/v1/queue?offset=&limit=. Meant for an idle agent: the totals are
 * those of the first page, and a page that comes back short ends the listing.
 */
export async function fetchAgentQueue(httpAddress: string, pageSize = 10_000): Promise<AgentQueueListing> {
  if (pageSize < 1 || pageSize > AGENT_QUEUE_MAX_LIMIT) throw new RangeError(`pageSize ${pageSize} out of range`);
  let listing: AgentQueueListing | undefined;
  for (let offset = 0; ; offset += pageSize) {
    const page = await getJson<AgentQueueListing>(httpAddress, `/api/v1/queue?offset=${offset}&limit=${pageSize}`);
    if (!listing) listing = { ...page, entries: [...page.entries] };
    else listing.entries.push(...page.entries);
    if (page.entries.length < pageSize) return listing;
  }
}

/** Only the count of GET /api/v1/queue (no entries fetched). */
export async function fetchAgentQueueCount(httpAddress: string): Promise<number> {
  return (await getJson<AgentQueueListing>(httpAddress, '/api/v1/queue?limit=0')).count;
}

/** Severity names, least important first; their index is the drain rank. */
const SEVERITY_RANK: Record<string, number> = { Info: 0, Warning: 1, Error: 2, Critical: 3 };

/**
 * Why `entries` are not in the queue's drain order (severity Critical → Info,
 * then seq increasing within a severity), or undefined when they are.
 */
export function drainOrderViolation(entries: readonly AgentQueueEntry[]): string | undefined {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!(entry.severity in SEVERITY_RANK)) return `entry ${i} (${entry.id}) has unknown severity ${entry.severity}`;
    if (i === 0) continue;
    const previous = entries[i - 1];
    const [before, after] = [SEVERITY_RANK[previous.severity], SEVERITY_RANK[entry.severity]];
    if (after > before) {
      return `entry ${i} (${entry.id}, ${entry.severity}) follows a less important one (${previous.id}, ${previous.severity})`;
    }
    if (after === before && entry.seq <= previous.seq) {
      return `entry ${i} (${entry.id}, seq ${entry.seq}) follows ${previous.id} (seq ${previous.seq}) of the same severity ${entry.severity}`;
    }
  }
  return undefined;
}

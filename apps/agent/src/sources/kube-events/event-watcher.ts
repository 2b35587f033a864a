import type { Logger } from '@nestjs/common';
import { NotificationProperty, type NotificationLimits } from '@app/notification-model';
import type { alerting } from '@app/proto';
import { ResourceExhaustedError } from '@app/runtime';
import type { NotificationQueue } from '../../queue/notification-queue.js';
import { mapEvent } from './event-mapping.js';
import type { EventRule } from './event-rules.js';
import { KubeApiClient, KubeApiError } from './kube-api-client.js';
import { decodeEvent, InvalidEvent, type EventApi, type KubeEvent } from './kube-event.js';
import type { BadInputReason, KubeEventsMetrics, SourceState } from './kube-events-metrics.js';
import { OccurrenceCounts } from './occurrence-counts.js';

export interface WatcherOptions {
  client: KubeApiClient;
  queue: NotificationQueue;
  api: EventApi;
  /** '' for every namespace. */
  namespace: string;
  rules: readonly EventRule[];
  limits: NotificationLimits;
  /** 'Warning': Normal events are dropped. */
  minType: 'Normal' | 'Warning';
  metrics: KubeEventsMetrics;
  logger: Logger;
  onState: (state: SourceState, detail?: string) => void;
  maxBackoffMs?: number;
}

interface Entry {
  type: string;
  object: unknown;
}

/** Items per list page (the API server's pages keep a relist of a large cluster bounded in memory). */
const LIST_PAGE = 500;
/** Watch events buffered before the stream is paused (TCP backpressure) until the queue catches up. */
const HIGH_WATER = 20_000;
/** Most watch events committed in one transaction (mapping them holds the event loop: keep Notify responsive). */
const MAX_CHUNK = 1_000;
/** A watch that ends sooner than this is reopened with backoff (a server ending watches at once must not spin). */
const SHORT_WATCH_MS = 1_000;

/**
 * One namespace's (or the cluster's) list-then-watch loop. Its cursor (the
 * last resourceVersion processed) is committed in the same queue transaction
 * as the notifications it produced, so after a crash it resumes exactly
 * there; a 410 Gone relists, and ids derived from the events make whatever is
 * seen again a no-op.
 */
export class EventWatcher {
  private stopped = false;
  private stopWatch: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private readonly cursorKey: string;
  private readonly path: string;
  /** Set once the forbidden error has been logged, until access works again. */
  private forbiddenLogged = false;
  /** Read from the store at the start, and again after a commit failed (memory may be ahead of it then). */
  private counts: OccurrenceCounts | undefined;

  constructor(private readonly o: WatcherOptions) {
    this.cursorKey = `kube-events/resourceVersion/${o.namespace || '*'}`;
    const base = o.api === 'events.k8s.io/v1' ? '/apis/events.k8s.io/v1' : '/api/v1';
    this.path = `${base}${o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : ''}/events`;
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    this.wake?.();
  }

  async run(): Promise<void> {
    const { logger, metrics } = this.o;
    let cursor = await this.o.queue.readState(this.cursorKey);
    let listed = false;
    let failures = 0;
    while (!this.stopped) {
      try {
        this.counts ??= await OccurrenceCounts.load(this.o.queue, this.o.namespace || '*');
        if (cursor === undefined) {
          this.o.onState(listed ? 'relisting' : 'listing');
          cursor = await this.list();
          listed = true;
        }
        this.o.onState('watching');
        this.forbiddenLogged = false;
        const started = Date.now();
        const outcome = await this.watchFrom(cursor, (committed) => (cursor = committed));
        if (this.stopped) break;
        if (outcome === 'expired') {
          metrics.relists.inc();
          logger.warn(
            { event: 'kube-events-relist', namespace: this.o.namespace || '*', resourceVersion: cursor },
            `resourceVersion ${cursor} expired (410 Gone): listing events again`,
          );
          cursor = undefined;
          failures = 0;
          continue;
        }
        metrics.watchRestarts.inc({ reason: 'ended' });
        if (Date.now() - started >= SHORT_WATCH_MS) failures = 0;
        else await this.backoff(++failures);
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof KubeApiError && error.statusCode === 410) {
          metrics.relists.inc();
          logger.warn(
            { event: 'kube-events-relist', namespace: this.o.namespace || '*' },
            `${error.message}: listing again`,
          );
          cursor = undefined;
          continue;
        }
        if (error instanceof KubeApiError && (error.statusCode === 403 || error.statusCode === 401)) {
          this.o.onState('forbidden', error.status?.message ?? error.message);
          if (!this.forbiddenLogged) {
            this.forbiddenLogged = true;
            logger.error(
              { event: 'kube-events-forbidden', namespace: this.o.namespace || '*', status: error.statusCode },
              `cannot read Kubernetes events: ${error.status?.message ?? error.message} — grant get, list and watch on events (events.k8s.io and core; the agent chart grants them); retrying`,
            );
          }
        } else {
          this.o.onState('reconnecting', (error as Error).message);
          if (failures === 0)
            logger.warn(
              { event: 'kube-events-watch-failed', namespace: this.o.namespace || '*', err: error },
              `Kubernetes event watch failed: ${(error as Error).message}; reconnecting with backoff`,
            );
        }
        metrics.watchRestarts.inc({ reason: 'error' });
        await this.backoff(++failures);
      }
    }
  }

  private backoff(failures: number): Promise<void> {
    const max = this.o.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, 250 * 2 ** Math.min(failures - 1, 16)) * (0.5 + Math.random() / 2);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Lists every event page by page, queueing each page; the list's
   * resourceVersion is committed with the last page. That is the first page's:
   * the pages of one list are a snapshot at it, and should a server's later
   * pages say a later one, the watch from the first still sees every change
   * after the snapshot (what it sees twice, the ids make a no-op).
   */
  private async list(): Promise<string> {
    let token: string | undefined;
    let snapshot: string | undefined;
    for (;;) {
      const page = (await this.o.client.get(this.path, {
        limit: String(LIST_PAGE),
        ...(token ? { continue: token } : {}),
      })) as { metadata?: { resourceVersion?: string; continue?: string }; items?: unknown[] };
      const resourceVersion = page?.metadata?.resourceVersion;
      if (typeof resourceVersion !== 'string' || !Array.isArray(page.items))
        throw new Error(`GET ${this.path}: not a list (no metadata.resourceVersion or items)`);
      snapshot ??= resourceVersion;
      token = page.metadata?.continue || undefined;
      const entries = page.items.map((object) => ({ type: 'ADDED', object }));
      await this.commit(entries, token ? undefined : snapshot);
      if (!token) return snapshot;
    }
  }

  /**
   * Watches from `cursor` until the server ends the watch ('ended') or
   * answers 410 ('expired'); every chunk of events is committed with the
   * resourceVersion it reached (`onCommit`). Rejects on a connection error.
   */
  private async watchFrom(cursor: string, onCommit: (cursor: string) => void): Promise<'ended' | 'expired'> {
    const buffer: Entry[] = [];
    let streamDone = false;
    let streamError: Error | undefined;
    let paused = false;
    let signal: (() => void) | undefined;
    const notify = () => {
      const s = signal;
      signal = undefined;
      s?.();
    };
    const watch = await this.o.client.watch(
      this.path,
      {
        resourceVersion: cursor,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(300 + Math.floor(Math.random() * 300)),
      },
      {
        line: (text) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            this.bad('garbage-line', `the watch sent a line that is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
            return;
          }
          const event = parsed as Partial<Entry> | null;
          if (typeof event !== 'object' || event === null || typeof event.type !== 'string') {
            this.bad('garbage-line', `the watch sent JSON that is not a watch event: ${text.slice(0, 200)}`);
            return;
          }
          buffer.push({ type: event.type, object: event.object });
          if (buffer.length >= HIGH_WATER && !paused) {
            paused = true;
            watch.pause();
          }
          notify();
        },
        oversized: (bytes) => this.bad('oversized-line', `the watch sent a line of ${bytes} bytes: skipped`),
      },
    );
    this.stopWatch = watch.stop;
    watch.done.then(
      () => ((streamDone = true), notify()),
      (error: Error) => ((streamDone = true), (streamError = error), notify()),
    );
    try {
      for (;;) {
        if (this.stopped) return 'ended';
        if (buffer.length === 0) {
          if (streamDone) {
            if (streamError) throw streamError;
            return 'ended';
          }
          await new Promise<void>((resolve) => (signal = resolve));
          continue;
        }
        let chunk = buffer.splice(0, MAX_CHUNK);
        if (paused && buffer.length < HIGH_WATER / 2) {
          paused = false;
          watch.resume();
        }
        const error = chunk.findIndex((entry) => entry.type === 'ERROR');
        const failure = error === -1 ? undefined : chunk[error];
        if (failure) chunk = chunk.slice(0, error);
        let reached = cursor;
        for (const entry of chunk) {
          const rv = (entry.object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
          if (typeof rv === 'string' && rv !== '') reached = rv;
        }
        const events = chunk.filter((entry) => entry.type !== 'BOOKMARK');
        if (events.length > 0 || reached !== cursor)
          await this.commit(events, reached !== cursor ? reached : undefined);
        cursor = reached;
        onCommit(cursor);
        if (failure) {
          const status = failure.object as { code?: unknown; message?: unknown } | null;
          if (status?.code === 410) return 'expired';
          this.bad('error-status', `the watch sent an ERROR: ${JSON.stringify(failure.object).slice(0, 300)}`);
          watch.stop();
          return 'ended';
        }
      }
    } finally {
      watch.stop();
      this.stopWatch = undefined;
    }
  }

  /**
   * Maps `entries` and queues them with `cursor` (when given) and the events'
   * counts in one transaction. A notification stands for the occurrences since
   * its event was last seen (opni_occurrences); an event with none is skipped.
   */
  private async commit(entries: Entry[], cursor: string | undefined): Promise<void> {
    const { metrics } = this.o;
    const counts = this.counts!;
    const now = Date.now();
    const requests: alerting.AgentNotification[] = [];
    const happened: (number | undefined)[] = [];
    for (const { type, object } of entries) {
      metrics.seen.inc({ type });
      if (type === 'DELETED') continue; // an event's TTL ran out: nothing happened
      if (type !== 'ADDED' && type !== 'MODIFIED') {
        this.bad('unknown-watch-type', `the watch sent an event of unknown type ${JSON.stringify(type).slice(0, 100)}`);
        continue;
      }
      let event: KubeEvent;
      try {
        event = decodeEvent(object, this.o.api);
      } catch (error) {
        if (!(error instanceof InvalidEvent)) throw error;
        this.bad(error.reason, `skipped an event: ${error.message}`);
        continue;
      }
      if (event.unknownType)
        this.bad(
          'unknown-type',
          `event ${event.uid} has unknown type ${JSON.stringify(event.type).slice(0, 100)}: treated as Warning`,
        );
      if (this.o.minType === 'Warning' && event.type === 'Normal') {
        metrics.dropped.inc({ reason: 'min-type' });
        continue;
      }
      const mapped = mapEvent(event, this.o.rules, this.o.limits);
      if (mapped.dropped) {
        metrics.dropped.inc({ reason: 'rule' });
        continue;
      }
      const weight = counts.weigh(event.uid, event.count, now);
      if (weight === 0) {
        metrics.duplicates.inc();
        continue;
      }
      if (weight > 1) mapped.request.message!.properties[NotificationProperty.occurrences] = String(weight);
      if (mapped.truncated)
        this.bad('truncated', `event ${event.uid}: message or fields cut to the notification size limits`);
      requests.push(mapped.request);
      happened.push(event.happenedAt);
    }
    const state = counts.takeWrites(now);
    if (cursor !== undefined) state.push({ key: this.cursorKey, value: cursor });
    const results = await this.o.queue.notifyWithState(requests, state).catch((error: unknown) => {
      this.counts = undefined; // ahead of the store now: read it again before going on
      throw error;
    });
    const queuedAt = Date.now();
    results.forEach((result, i) => {
      if (result instanceof Error) {
        const full = result instanceof ResourceExhaustedError;
        metrics.dropped.inc({ reason: full ? 'queue-full' : 'queue-invalid' });
        this.o.logger.warn(
          { event: 'kube-event-not-queued', id: requests[i].id, reason: result.message },
          `Kubernetes event ${requests[i].id} not queued: ${result.message}`,
        );
      } else if (result.duplicate) metrics.duplicates.inc();
      else {
        metrics.queued.inc();
        if (result.coalesced) metrics.coalesced.inc();
        const at = happened[i];
        if (at !== undefined) metrics.lag.observe(Math.max(0, queuedAt - at) / 1000);
      }
    });
  }

  private bad(reason: BadInputReason, message: string): void {
    this.o.metrics.invalid.inc({ reason });
    this.o.logger.warn({ event: 'kube-events-bad-input', reason, namespace: this.o.namespace || '*' }, message);
  }
}

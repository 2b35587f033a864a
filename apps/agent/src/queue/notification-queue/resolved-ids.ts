import type { QueueStore } from '../queue-store.js';
import type { Batch } from './group-commit.js';

/** How many resolved ids the queue writes before it trims the remembered ones back to their bound. */
const TRIM_RESOLVED_EVERY = 1024;

/**
 * Ids the gateway resolved recently, remembered (persisted, the newest `max`
 * of them) for the id prefixes an event source registered: admission answers
 * a notify() of such an id OK without queueing it again, so a source that
 * sees an event again (a relist) does not send it twice.
 */
export class ResolvedIds {
  /** Id prefixes whose resolved ids are remembered, and how many of them at most. */
  private readonly prefixes: string[] = [];
  private max = 0;
  /** Remembered resolved ids, oldest first (a Set keeps insertion order). */
  readonly recent = new Set<string>();
  private sinceTrim = 0;

  constructor(private readonly store: QueueStore) {}

  /** Remembers resolved ids starting with `prefix`, the newest `max` of them; before load(). */
  register(prefix: string, max: number): void {
    this.prefixes.push(prefix);
    this.max = Math.max(this.max, max);
  }

  /** Whether any prefix is registered (else nothing is remembered, and callers skip gathering ids). */
  get active(): boolean {
    return this.prefixes.length > 0;
  }

  /** Reads the remembered ids back from the store (at recovery), when any prefix is registered. */
  async load(): Promise<void> {
    if (this.prefixes.length === 0) return;
    const ids = await this.store.resolvedIds();
    for (const id of ids.slice(-this.max)) this.recent.add(id);
  }

  /** Writes the ids that register() asked for into `batch`, remembering them once it commits. */
  write(batch: Batch, ids: string[]): void {
    const remembered = ids.filter((id) => this.prefixes.some((prefix) => id.startsWith(prefix)));
    if (remembered.length === 0) return;
    for (const id of remembered) batch.writes.push({ op: 'resolved', id });
    this.sinceTrim += remembered.length;
    if (this.sinceTrim >= TRIM_RESOLVED_EVERY) {
      this.sinceTrim = 0;
      batch.writes.push({ op: 'trimResolved', keep: this.max });
    }
    batch.onCommit.push(() => {
      for (const id of remembered) this.recent.add(id);
      // Oldest first: drop from the front down to the bound.
      for (const id of this.recent) {
        if (this.recent.size <= this.max) break;
        this.recent.delete(id);
      }
    });
  }
}

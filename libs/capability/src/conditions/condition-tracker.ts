import type { Clock } from '@app/runtime';

/** What is wrong with a part of a node, as the original system words it. */
export type ConditionStatus = 'Pending' | 'Failure' | 'Disabled';

/**
 * A node's health conditions, such as "Backend Disabled" or "Config Sync
 * Failure": one status per key, rendered "<Key> <Status>". A node is ready
 * if and only if it has none. Listeners hear every change (and only changes),
 * so a node can push its health when, and only when, it changes.
 */
export class ConditionTracker {
  private readonly byKey = new Map<string, ConditionStatus>();
  private readonly listeners = new Set<() => void>();
  private changedAt: Date;

  constructor(private readonly clock: Clock) {
    this.changedAt = new Date(clock.now());
  }

  /** Sets the key's status; a no-op when it already has it. */
  set(key: string, status: ConditionStatus): void {
    if (this.byKey.get(key) === status) return;
    this.byKey.set(key, status);
    this.changed();
  }

  /** Clears the key's condition; a no-op when it has none. */
  clear(key: string): void {
    if (this.byKey.delete(key)) this.changed();
  }

  /** Sets the key's status when `status` is given, clears it otherwise. */
  update(key: string, status: ConditionStatus | undefined): void {
    if (status === undefined) this.clear(key);
    else this.set(key, status);
  }

  /** "<Key> <Status>" for every condition, sorted so equal sets compare equal. */
  conditions(): string[] {
    return [...this.byKey].map(([key, status]) => `${key} ${status}`).sort();
  }

  get ready(): boolean {
    return this.byKey.size === 0;
  }

  /** When the conditions last changed (or the tracker was created). */
  get lastChange(): Date {
    return this.changedAt;
  }

  /** Calls `listener` after every change; returns the function that unsubscribes it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.changedAt = new Date(this.clock.now());
    for (const listener of this.listeners) listener();
  }
}

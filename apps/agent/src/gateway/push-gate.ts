import { Injectable } from '@nestjs/common';

/**
 * Whether the agent may push its queue to the gateway: open while the
 * alerting capability is installed for its cluster (the node configuration
 * it synced says enabled), closed otherwise. Closed, the agent keeps
 * accepting and queuing notifications; it only stops draining them.
 */
@Injectable()
export class PushGate {
  private openValue = false;
  private readonly listeners = new Set<(open: boolean) => void>();

  get open(): boolean {
    return this.openValue;
  }

  set(open: boolean): void {
    if (open === this.openValue) return;
    this.openValue = open;
    for (const listener of this.listeners) listener(open);
  }

  /** Calls `listener` on every change; returns the function that unsubscribes it. */
  onChange(listener: (open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

import { Injectable } from '@nestjs/common';

/**
 * Whether the agent may push its queue to the gateway: open while alerting is
 * enabled for its cluster (the node configuration it synced says so) and the
 * current session has confirmed that (synced once), so a restarted or
 * reconnected agent never pushes on a configuration the gateway has since
 * changed. Closed, the agent keeps accepting and queuing notifications; it
 * only stops draining them.
 */
@Injectable()
export class PushGate {
  private enabled = false;
  private confirmed = false;
  private readonly listeners = new Set<(open: boolean) => void>();

  get open(): boolean {
    return this.enabled && this.confirmed;
  }

  /** Alerting is enabled (or not) in the node configuration the agent runs. */
  setEnabled(enabled: boolean): void {
    this.change(() => (this.enabled = enabled));
  }

  /** The current session has synced the configuration (true), or a new session has not yet (false). */
  setConfirmed(confirmed: boolean): void {
    this.change(() => (this.confirmed = confirmed));
  }

  /** Calls `listener` whenever `open` changes; returns the function that unsubscribes it. */
  onChange(listener: (open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private change(apply: () => void): void {
    const before = this.open;
    apply();
    if (this.open !== before) for (const listener of this.listeners) listener(this.open);
  }
}

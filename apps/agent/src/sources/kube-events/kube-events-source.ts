import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { notificationLimits } from '@app/notification-model';
import { SettingsError } from '@app/runtime';
import { AgentSettings } from '../../config/agent-settings.js';
import { NotificationQueue } from '../../queue/notification-queue.js';
import { EVENT_ID_PREFIX } from './event-mapping.js';
import { loadRules, RulesError, type EventRule } from './event-rules.js';
import { EventWatcher } from './event-watcher.js';
import { KubeApiClient, KubeApiError } from './kube-api-client.js';
import type { EventApi } from './kube-event.js';
import { KubeEventsMetrics, type SourceState } from './kube-events-metrics.js';

/** How many resolved event ids the queue remembers, so that a relist does not resend them (events live 1 h by default). */
export const REMEMBERED_RESOLVED_EVENTS = 100_000;

/** Worst first: the state the source reports when its namespaces' watchers differ. */
const STATE_RANK: SourceState[] = [
  'forbidden',
  'reconnecting',
  'relisting',
  'listing',
  'starting',
  'watching',
  'disabled',
];

/**
 * Checks the event source's settings that the settings class cannot (the
 * rules file, the kubeconfig) and throws SettingsError naming the setting:
 * the agent refuses to start rather than run without its rules.
 */
export function checkKubeEventSettings(settings: AgentSettings): void {
  try {
    loadRules(settings.kubeEventsRulesFile);
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    throw new SettingsError(
      `invalid setting AGENT_KUBE_EVENTS_RULES_FILE (--kube-events-rules-file): ${error.message}`,
    );
  }
  if (!settings.kubeEvents) return;
  try {
    new KubeApiClient(settings.kubeconfig);
  } catch (error) {
    const name = settings.kubeconfig
      ? 'AGENT_KUBECONFIG (--kubeconfig)'
      : 'AGENT_KUBECONFIG (--kubeconfig), empty: in-cluster';
    throw new SettingsError(`invalid setting ${name}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * The Kubernetes event source: one EventWatcher per namespace watched (or one
 * for the whole cluster), started once the queue has recovered. Runs in the
 * background: however the API server behaves, Notify keeps being served.
 */
@Injectable()
export class KubeEventsSource implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KubeEventsSource');
  private readonly states = new Map<string, { state: SourceState; detail?: string }>();
  private watchers: EventWatcher[] = [];
  private running: Promise<void>[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly rules: readonly EventRule[];

  constructor(
    private readonly settings: AgentSettings,
    private readonly queue: NotificationQueue,
    private readonly metrics: KubeEventsMetrics,
  ) {
    this.rules = settings.kubeEvents ? loadRules(settings.kubeEventsRulesFile) : [];
    if (settings.kubeEvents) queue.rememberResolved(EVENT_ID_PREFIX, REMEMBERED_RESOLVED_EVENTS);
    metrics.setState(settings.kubeEvents ? 'starting' : 'disabled');
  }

  /** The aggregate state, and what explains it (the API server's message for forbidden). */
  status(): { state: SourceState; detail?: string } {
    if (!this.settings.kubeEvents) return { state: 'disabled' };
    const all = [...this.states.values()];
    if (all.length === 0) return { state: 'starting' };
    return all.sort((a, b) => STATE_RANK.indexOf(a.state) - STATE_RANK.indexOf(b.state))[0];
  }

  onApplicationBootstrap(): void {
    if (!this.settings.kubeEvents) return;
    this.running.push(this.start());
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    for (const watcher of this.watchers) watcher.stop();
    await Promise.all(this.running);
  }

  private setState(key: string, state: SourceState, detail?: string): void {
    this.states.set(key, { state, detail });
    this.metrics.setState(this.status().state);
  }

  private async start(): Promise<void> {
    const client = new KubeApiClient(this.settings.kubeconfig);
    const api = await this.discover(client);
    if (!api || this.stopped) return;
    const namespaces = this.settings.kubeEventsNamespaces ? this.settings.kubeEventsNamespaces.split(',') : [''];
    this.logger.log(
      { event: 'kube-events-started', api, namespaces: namespaces.map((n) => n || '*'), server: client.server },
      `watching Kubernetes events (${api}) in ${namespaces.map((n) => n || 'every namespace').join(', ')}`,
    );
    this.states.delete('discovery');
    this.watchers = namespaces.map(
      (namespace) =>
        new EventWatcher({
          client,
          queue: this.queue,
          api,
          namespace,
          rules: this.rules,
          limits: notificationLimits(this.settings),
          minType: this.settings.kubeEventsMinType,
          metrics: this.metrics,
          logger: this.logger,
          onState: (state, detail) => this.setState(namespace, state, detail),
        }),
    );
    await Promise.all(
      this.watchers.map((watcher) =>
        watcher
          .run()
          .catch((error: Error) =>
            this.logger.error(
              { event: 'kube-events-stopped', err: error },
              `Kubernetes event watcher stopped: ${error.message}`,
            ),
          ),
      ),
    );
  }

  /** events.k8s.io/v1 when the server serves it, else core/v1; retried with backoff while the server cannot say. */
  private async discover(client: KubeApiClient): Promise<EventApi | undefined> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await client.get('/apis/events.k8s.io/v1');
        return 'events.k8s.io/v1';
      } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 404) {
          this.logger.warn({ event: 'kube-events-core-v1' }, 'events.k8s.io/v1 is not served: reading core/v1 events');
          return 'v1';
        }
        const forbidden = error instanceof KubeApiError && (error.statusCode === 401 || error.statusCode === 403);
        this.setState('discovery', forbidden ? 'forbidden' : 'reconnecting', (error as Error).message);
        if (attempt === 0)
          this.logger.warn(
            { event: 'kube-events-discovery-failed', err: error },
            `cannot reach the Kubernetes API at ${client.server}: ${(error as Error).message}; retrying`,
          );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(30_000, 250 * 2 ** Math.min(attempt, 8)));
          this.wake = () => (clearTimeout(timer), resolve());
        });
      }
    }
    return undefined;
  }
}

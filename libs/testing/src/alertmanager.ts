import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './tcp-proxy.js';
import { waitFor } from './wait-for.js';

/** Debian's prometheus-alertmanager package (0.25) puts it here; ALERTMANAGER_BIN overrides. */
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** Alertmanager's configuration (written as JSON, which is YAML). */
export type AlertmanagerConfig = Record<string, unknown>;

/**
 * A configuration whose single route sends every alert, ungrouped and at
 * once, to a webhook (e.g. a WebhookServer): what Alertmanager's routing did
 * becomes visible to a test.
 */
export function webhookRouteConfig(webhookURL: string, route: Record<string, unknown> = {}): AlertmanagerConfig {
  return {
    route: {
      receiver: 'hook',
      group_by: ['...'],
      group_wait: '50ms',
      group_interval: '100ms',
      repeat_interval: '1h',
      ...route,
    },
    receivers: [{ name: 'hook', webhook_configs: [{ url: webhookURL, send_resolved: false }] }],
  };
}

export interface AlertmanagerAlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

/**
 * TEST HELPER — a real Prometheus Alertmanager process on 127.0.0.1 (a free
 * port), with the configuration given, a temporary storage directory and
 * clustering off; `stop()` ends it, `start()` starts it again on the same port
 * and storage (silences survive, as in production).
 */
export class AlertmanagerProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static available(): boolean {
    return existsSync(ALERTMANAGER_BIN);
  }

  static async start(config: AlertmanagerConfig): Promise<AlertmanagerProcess> {
    if (!AlertmanagerProcess.available()) {
      throw new Error(`${ALERTMANAGER_BIN} is missing: apt-get install prometheus-alertmanager (see .ci/run)`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
    writeFileSync(join(dir, 'alertmanager.yml'), JSON.stringify(config));
    const alertmanager = new AlertmanagerProcess(await freePort(), dir);
    await alertmanager.start();
    return alertmanager;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The running process' id (for CPU accounting); undefined while stopped. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the process (again) and waits until /-/ready answers 200. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      ALERTMANAGER_BIN,
      [
        `--config.file=${join(this.dir, 'alertmanager.yml')}`,
        `--storage.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let gone = false;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    const collect = (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-20_000));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await waitFor(
      async () => {
        if (gone) throw new Error(`alertmanager exited: ${this.output}`);
        const response = await fetch(`${this.url}/-/ready`);
        return response.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 50, description: `alertmanager on port ${this.port} to be ready` },
    ).catch(async (error: Error) => {
      await this.stop();
      throw new Error(`${error.message}; output: ${this.output}`);
    });
  }

  /** Ends the process (SIGTERM, then SIGKILL after 5 s); the storage stays for a restart. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops it and removes its files. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  logs(): string {
    return this.output;
  }

  /** GET /api/v2/alerts with `filter` matchers, e.g. ['cluster="a"']. */
  async alerts(filter: string[] = []): Promise<AlertmanagerAlertJson[]> {
    const query = new URLSearchParams();
    for (const matcher of filter) query.append('filter', matcher);
    query.set('silenced', 'true');
    query.set('inhibited', 'true');
    const response = await fetch(`${this.url}/api/v2/alerts?${query.toString()}`);
    if (response.status !== 200) throw new Error(`GET alerts: HTTP ${response.status}: ${await response.text()}`);
    return (await response.json()) as AlertmanagerAlertJson[];
  }

  /** Creates a silence through Alertmanager's API; resolves to its id. */
  async silence(
    matchers: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }[],
    forMs = 3_600_000,
  ): Promise<string> {
    const now = Date.now();
    const response = await fetch(`${this.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        matchers: matchers.map((m) => ({ isRegex: false, isEqual: true, ...m })),
        startsAt: new Date(now - 1_000).toISOString(),
        endsAt: new Date(now + forMs).toISOString(),
        createdBy: 'test',
        comment: 'test silence',
      }),
    });
    if (response.status !== 200) throw new Error(`POST silence: HTTP ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { silenceID: string }).silenceID;
  }
}

import { readFileSync } from 'node:fs';
import type { alerting } from '@app/proto';
import { writeFileAtomically } from '@app/runtime';

/** What the agent keeps of its alerting node configuration between runs. */
export interface AppliedNodeConfig {
  config: alerting.AlertingNodeConfig;
  /** The purge_queue_revision the agent last carried out (so it purges once per request). */
  purgedRevision: bigint;
}

/** The file's layout (revisions as decimal strings: they are int64). */
interface SavedNodeConfig {
  enabled: boolean;
  revision: string;
  purgeQueueRevision: string;
  purgedRevision: string;
}

export const UNCONFIGURED: AppliedNodeConfig = {
  config: { enabled: false, revision: 0n, spec: { purgeQueueRevision: 0n } },
  purgedRevision: 0n,
};

/**
 * The agent's alerting node configuration in its data directory
 * (alerting-node.json), so a restart remembers whether alerting was enabled
 * and which purge it already carried out. Written atomically.
 */
export class NodeConfigFile {
  constructor(private readonly path: string) {}

  /** The saved configuration; UNCONFIGURED when there is none (a file that cannot be read counts as none). */
  load(): { applied: AppliedNodeConfig; problem?: string } {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { applied: UNCONFIGURED };
      return { applied: UNCONFIGURED, problem: (error as Error).message };
    }
    try {
      const saved = JSON.parse(text) as SavedNodeConfig;
      if (typeof saved.enabled !== 'boolean') throw new Error('"enabled" is not true or false');
      return {
        applied: {
          config: {
            enabled: saved.enabled,
            revision: BigInt(saved.revision),
            spec: { purgeQueueRevision: BigInt(saved.purgeQueueRevision) },
          },
          purgedRevision: BigInt(saved.purgedRevision),
        },
      };
    } catch (error) {
      return { applied: UNCONFIGURED, problem: `${this.path} is not readable: ${(error as Error).message}` };
    }
  }

  save(applied: AppliedNodeConfig): void {
    const saved: SavedNodeConfig = {
      enabled: applied.config.enabled,
      revision: String(applied.config.revision),
      purgeQueueRevision: String(applied.config.spec?.purgeQueueRevision ?? 0n),
      purgedRevision: String(applied.purgedRevision),
    };
    const text = JSON.stringify(saved);
    writeFileAtomically(this.path, text, { mode: 0o600 });
  }
}

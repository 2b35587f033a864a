import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomically } from '@app/runtime';

/** What the agent keeps from joining: the cluster it joined as, the key it shares with the gateway, and whom it trusts. */
export interface KeyringContents {
  clusterId: string;
  /** The 32-byte cluster key (X25519 + HKDF at join). */
  clusterKey: Buffer;
  /** The pinned CA certificate (PEM): the only trust anchor for the gateway's TLS. */
  caCertPem: string;
  pin: string;
  joinedAt: Date;
}

/**
 * The agent's keyring, `<dataDir>/keyring.json`, mode 0600: written once when
 * the agent joins, read at every start. Deleting it (and starting with a new
 * join token) is how an agent joins again.
 */
export class Keyring {
  constructor(readonly path: string) {}

  /** The keyring, undefined before the first join; throws for a file that cannot be read. */
  load(): KeyringContents | undefined {
    if (!existsSync(this.path)) return undefined;
    const saved = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
    for (const field of ['clusterId', 'clusterKey', 'caCertPem', 'pin', 'joinedAt']) {
      if (typeof saved[field] !== 'string') throw new Error(`${this.path}: "${field}" is missing`);
    }
    return {
      clusterId: saved.clusterId,
      clusterKey: Buffer.from(saved.clusterKey, 'base64'),
      caCertPem: saved.caCertPem,
      pin: saved.pin,
      joinedAt: new Date(saved.joinedAt),
    };
  }

  save(contents: KeyringContents): void {
    const text = JSON.stringify({ ...contents, clusterKey: contents.clusterKey.toString('base64') }, null, 2);
    writeFileAtomically(this.path, `${text}\n`, { mode: 0o600 });
  }
}

import { chmodSync, closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces a file so that a crash leaves either the old content or the new,
 * never a torn file: a temporary file is written and fsynced, renamed over
 * the old one, and the directory fsynced. `mode` 0o600 keeps secrets
 * (keys, tokens) readable by their owner only.
 */
export function writeFileAtomically(path: string, content: string, { mode = 0o644 }: { mode?: number } = {}): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode); // `mode` above does not apply when a temporary file was left behind
  const file = openSync(temporary, 'r');
  try {
    fsyncSync(file);
  } finally {
    closeSync(file);
  }
  renameSync(temporary, path);
  const directory = openSync(dirname(path), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}

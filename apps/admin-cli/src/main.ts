#!/usr/bin/env node
// downstream-admin: the gateway's admin HTTP API from a shell, in the style of
// amtool and kubectl. `node dist/apps/admin-cli/apps/admin-cli/src/main.js --help`,
// or the package's bin; exit statuses in exit-code.ts.
import { createInterface } from 'node:readline/promises';
import { runCli } from './cli.js';

// A reader that went away (`downstream-admin clusters list | head -1`) is no reason for a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

/** A y/N question on the terminal (prompt on stderr, so stdout stays the command's output). */
async function confirm(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}

// Ctrl+C ends what runs until stopped (tail, waiting for an uninstall) cleanly; a second one kills.
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  confirm: process.stdin.isTTY ? confirm : undefined,
  stop: stop.signal,
});
// Nothing should keep the process alive past the command (e.g. a keep-alive socket).
process.exit();

#!/usr/bin/env node
// downstream-notify: sends one notification to an agent's
// alerting.NotificationService.Notify, for shell scripts and cron jobs.
// `npm run notify -- --help`, or the built bin; exit codes in exit-code.ts.
import { runCli } from './cli.js';

// A reader that went away (`downstream-notify --help | head -1`) is no reason
// for a stack trace; the exit code still tells what happened to the notification.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: () => process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

// Preload for profiling a process whose node flags we do not control (`--cpu-prof` is
// not allowed in NODE_OPTIONS): NODE_OPTIONS="--import <this file>" CPU_PROF_DIR=<dir>
// starts V8's sampling profiler before the app loads and writes
// <dir>/<pid>.cpuprofile when the process exits (open it in Chrome DevTools, or
// summarise it with `node bench/agent-ingest/cpu-profile-top.mjs <file>`).
// The agent-ingest benchmark sets this up for every agent it starts when AGENT_CPU_PROF=<dir>.
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROF_DIR ?? '.';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: Number(process.env.CPU_PROF_INTERVAL_US ?? 200) });
session.post('Profiler.start');

process.once('exit', () => {
  // The main-thread session answers synchronously, so this works in 'exit'.
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});

/**
 * What the benchmarks under bench/ share: the notification they send, clean-up
 * of child processes and temporary directories (even when a run fails), CPU
 * accounting from /proc, medians and number formatting.
 */
import { readFileSync, statfsSync } from 'node:fs';
import type { alerting } from '@app/proto';

/** The message benchmark calls send (~370 B with an id; only the id, and sometimes the severity, differ). */
export const MESSAGE: alerting.Notification = {
  title: 'High 5xx error rate on checkout-service.', // 40 B
  body:
    'checkout-service returned 7.4% HTTP 5xx responses over the last 5 minutes (threshold: 2%). ' +
    'Most errors come from POST /api/v1/orders on pods checkout-7f9c6-x2kqp and checkout-7f9c6-b8wzt (zone b).', // 196 B
  properties: {
    opni_severity: 'Error',
    opni_goldenSignal: 'Errors',
    cluster: 'prod-eu-west-1',
    namespace: 'payments',
  },
};

// ---- clean-up ------------------------------------------------------------------------

/** Everything to undo at the end, newest first: child processes, temporary directories. */
const cleanups: (() => Promise<unknown> | unknown)[] = [];

/** Runs every registered clean-up, newest first; a failing one is reported and the rest still run. */
export async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`);
    }
  }
}

/** Registers a clean-up for the end of the run; the returned function runs it now instead. */
export function onExit<T>(cleanup: () => Promise<T> | T): () => Promise<void> {
  cleanups.push(cleanup);
  return async () => {
    const i = cleanups.indexOf(cleanup);
    if (i >= 0) {
      cleanups.splice(i, 1);
      await cleanup();
    }
  };
}

/**
 * Runs a benchmark's main: on SIGINT/SIGTERM or failure the child processes
 * and temporary directories are cleaned up all the same, and a failure sets
 * exit code 1.
 */
export async function runBenchmark(main: () => Promise<void>): Promise<void> {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping child processes`);
      void cleanUp().then(() => process.exit(130));
    });
  }
  try {
    await main();
  } catch (error) {
    if (!interrupted) {
      console.error(`\nbenchmark failed: ${(error as Error).stack ?? error}`);
      process.exitCode = 1;
    }
  } finally {
    await cleanUp();
  }
}

// ---- CPU and memory from /proc -------------------------------------------------------

const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s

/** User + system CPU seconds a process has used so far (all its threads). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Busy CPU seconds of the whole machine, all cores (user, nice, system, irq, softirq, steal). */
export function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/** The file system type of `path`, by its statfs magic number. */
export function fsType(path: string): string {
  const magic: Record<number, string> = {
    0xef53: 'ext4',
    0x01021994: 'tmpfs',
    0x58465342: 'xfs',
    0x9123683e: 'btrfs',
    0x794c7630: 'overlayfs',
  };
  const type = statfsSync(path).type;
  return magic[type] ?? `0x${type.toString(16)}`;
}

// ---- rounds --------------------------------------------------------------------------

export interface Contender<R> {
  name: string;
  run: () => Promise<R>;
}

/**
 * Runs two contenders `rounds` times, back to back, the first one first in odd
 * rounds and the other first in even ones: drift in the machine's speed falls
 * on both alike, so each round's pair makes a fair ratio. `beforeRun` hears of
 * each run as it starts; `afterRound` gets the round's results in run order.
 * Returns each contender's results, round by round.
 */
export async function alternatingRounds<R>(
  rounds: number,
  contenders: readonly [Contender<R>, Contender<R>],
  hooks: {
    beforeRun?: (round: number, name: string) => void;
    afterRound: (round: number, ran: readonly { name: string; result: R }[]) => void;
  },
): Promise<[R[], R[]]> {
  const results: [R[], R[]] = [[], []];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? [0, 1] : [1, 0];
    const ran: { name: string; result: R }[] = [];
    for (const i of order) {
      hooks.beforeRun?.(round, contenders[i].name);
      const result = await contenders[i].run();
      results[i].push(result);
      ran.push({ name: contenders[i].name, result });
    }
    hooks.afterRound(round, ran);
  }
  return results;
}

// ---- figures -------------------------------------------------------------------------

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');
export const fmtMs = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));
export const fmtPct = (x: number): string => `${Math.round(x)}%`;
export const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

/**
 * CPU seconds of a process tree from /proc, e.g. a PostgreSQL server: the
 * postmaster and its backends, checkpointer, WAL writer, autovacuum workers.
 * Backends come and go with connections; a child's CPU moves into its
 * parent's cutime/cstime when it is reaped, so it is counted either way.
 */
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // Linux USER_HZ

/** utime + stime + cutime + cstime of one process, or 0 once it is gone. */
function ownAndReapedSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  } catch {
    return 0; // exited between listing and reading: its parent's cutime has it
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds used so far by `rootPid` and everything below it, living or reaped. */
export function treeCpuSeconds(rootPid: number): number {
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += ownAndReapedSeconds(pid);
    pending.push(...childrenOf(pid));
  }
  return total;
}

/**
 * CPU time a process has used, read from outside it: `utime + stime` of `/proc/<pid>/stat`, which
 * counts every thread of the process (V8's GC and compiler threads and libuv's pool included). The
 * gateway's code stays untouched, and a busy machine does not inflate the figure the way it
 * inflates wall-clock rates: time spent waiting for the core is not CPU time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`), read once; 100 on almost every Linux. */
let ticksPerSecond: number | undefined;

/**
 * The length of one clock tick in milliseconds: the resolution of every CPU reading, so windows
 * must be long enough that a few ticks either way do not matter.
 */
export function clockTickMs(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = Number.NaN;
    }
    if (!Number.isFinite(ticksPerSecond) || ticksPerSecond <= 0) ticksPerSecond = 100;
  }
  return 1000 / ticksPerSecond;
}

/** A CPU reading of one process. */
export interface CpuReading {
  userTicks: number;
  systemTicks: number;
}

/**
 * Reads user and system CPU ticks of a process.
 * @throws Error when /proc/<pid>/stat cannot be read (no /proc, or the process has exited)
 */
export function readCpuTicks(pid: number): CpuReading {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the line (utime, stime) are 12 and 13 after the state field (field 3).
  return { userTicks: Number(fields[11]), systemTicks: Number(fields[12]) };
}

/** CPU used between two readings of the same process, in milliseconds. */
export function cpuMsBetween(
  before: CpuReading,
  after: CpuReading,
): { userMs: number; systemMs: number; totalMs: number; ticks: number } {
  const tick = clockTickMs();
  const userTicks = after.userTicks - before.userTicks;
  const systemTicks = after.systemTicks - before.systemTicks;
  return {
    userMs: userTicks * tick,
    systemMs: systemTicks * tick,
    totalMs: (userTicks + systemTicks) * tick,
    ticks: userTicks + systemTicks,
  };
}

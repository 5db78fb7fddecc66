/**
 * CPU of the load generator's core over a window: this process's own (`process.cpuUsage`) plus the
 * processes pinned beside it (the mock upstream). Near the window's wall time means the load side was
 * saturated and the server may have waited for it.
 */
import { cpuMsBetween, type CpuReading, readCpuTicks } from './process-cpu.js';

/** One reading: this process in microseconds, its core's companions in ticks. */
export interface LoadCoreReading {
  ownMicroseconds: number;
  companions: CpuReading[];
}

export function readLoadCore(pids: readonly number[]): LoadCoreReading {
  const own = process.cpuUsage();
  return { ownMicroseconds: own.user + own.system, companions: pids.map((pid) => readCpuTicks(pid)) };
}

/** CPU ms of the load core between two readings of the same pids. */
export function loadCoreMsBetween(before: LoadCoreReading, after: LoadCoreReading): number {
  let companionsMs = 0;
  before.companions.forEach((reading, index) => {
    const later = after.companions[index];
    if (later !== undefined) companionsMs += cpuMsBetween(reading, later).totalMs;
  });
  return (after.ownMicroseconds - before.ownMicroseconds) / 1000 + companionsMs;
}

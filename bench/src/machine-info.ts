/** What machine a result came from: the figures mean little without it. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

/** Machine facts recorded with every result. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  cpuMhz?: number;
  totalMemoryBytes: number;
  platform: string;
  kernel: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews every figure. */
  loadAverageAtStart: number[];
}

/** Reads the CPU model, core count, memory, kernel and Node version. */
export function readMachineInfo(): MachineInfo {
  const cpuList = cpus();
  const first = cpuList[0];
  let cpuModel = first?.model ?? 'unknown';
  // Some virtual machines report a bare family name; /proc/cpuinfo may know the rest.
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const modelName = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1];
    if (modelName !== undefined) cpuModel = modelName.trim();
  } catch {
    // not Linux: keep what os.cpus() said
  }
  return {
    cpuModel,
    cores: availableParallelism(),
    ...(first?.speed ? { cpuMhz: first.speed } : {}),
    totalMemoryBytes: totalmem(),
    platform: platform(),
    kernel: release(),
    node: process.version,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

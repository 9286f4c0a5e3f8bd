import { readFileSync } from 'node:fs';

/**
 * How much of the machine other work took while a run was measured: the
 * machines are shared, and a run that other work slowed down says little.
 * Linux /proc only; elsewhere every figure is zero.
 */

/** Other work above this share of the machine makes a run disturbed: it is measured again. */
export const DISTURBED = 0.1;

/** What else used the machine during a measured period, as shares of all its CPU time. */
export interface Disturbance {
  /** processes that are not this bench's */
  others: number;
  /** time the hypervisor gave to other guests */
  steal: number;
  /** this bench's own processes */
  bench: number;
}

export interface CpuSample {
  total: number;
  busy: number;
  steal: number;
  ours: number;
}

/** Clock ticks from /proc/stat (the machine) and /proc/PID/stat (each of our processes). */
export function sampleCpu(pids: readonly number[]): CpuSample | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    let ours = 0;
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // After the command name, which may hold spaces: utime and stime are fields 14 and 15.
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ours += Number(rest[11]) + Number(rest[12]);
      } catch {
        // a process that has exited no longer counts
      }
    }
    return { total: user + nice + system + idle + iowait + irq + softirq + steal, busy: user + nice + system + irq + softirq, steal, ours };
  } catch {
    return undefined;
  }
}

export function disturbance(start: CpuSample | undefined, end: CpuSample | undefined): Disturbance {
  if (!start || !end || end.total <= start.total) return { others: 0, steal: 0, bench: 0 };
  const total = end.total - start.total;
  const ours = end.ours - start.ours;
  return {
    others: Math.max(0, (end.busy - start.busy - ours) / total),
    steal: (end.steal - start.steal) / total,
    bench: ours / total,
  };
}

/** The share of the machine that was not ours: other processes and other guests. */
export const otherWork = (d: Disturbance): number => d.others + d.steal;

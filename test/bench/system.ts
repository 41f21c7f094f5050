import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * What the machine offers the harness: CPU pinning with taskset, the
 * kernel's CPU accounting in /proc, and wrk. Each is optional; the harness
 * says what it did without one.
 */

/** Cores this process may use when it starts, before pinSelf narrows it. */
export const CORES = availableParallelism();

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system, every thread) a live process has used; NaN when /proc cannot say. */
export function cpuSeconds(pid: number): number {
  try {
    return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** utime + stime of a /proc/<pid>/stat line, in seconds. */
export function cpuSecondsOfStat(stat: string): number {
  // The command name (field 2) may hold spaces; every field after its ')' is a number.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

export function ticksToSeconds(ticks: number): number {
  return ticks / CLOCK_TICKS;
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Which cores the server under test and the load generator get: the server
 * core 1, everything of the harness's own core 0. Without taskset, or with
 * fewer than two cores, nothing is pinned.
 */
export interface Pinning {
  enabled: boolean;
  serverCore: number;
  generatorCore: number;
  /** Why pinning is off, when it is. */
  reason?: string;
}

export function detectPinning(): Pinning {
  const base = { serverCore: 1, generatorCore: 0 };
  if (process.platform !== 'linux') return { ...base, enabled: false, reason: 'not Linux' };
  if (!commandExists('taskset'))
    return { ...base, enabled: false, reason: 'taskset not found (util-linux)' };
  if (CORES < 2) return { ...base, enabled: false, reason: 'fewer than two cores available' };
  return { ...base, enabled: true };
}

/** `command args` run on `core` (taskset), or as is when pinning is off. */
export function onCore(
  pinning: Pinning,
  core: number,
  command: string,
  args: string[],
): [string, string[]] {
  return pinning.enabled ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

/** Moves every thread of this process to `core`: the harness keeps off the server's core. */
export function pinSelf(pinning: Pinning, core: number): void {
  if (!pinning.enabled) return;
  spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** Lets this process run anywhere again. */
export function unpinSelf(pinning: Pinning): void {
  if (!pinning.enabled) return;
  const all = `0-${CORES - 1}`;
  spawnSync('taskset', ['-a', '-p', '-c', all, String(process.pid)], { stdio: 'ignore' });
}

export type WrkStatus =
  | { available: true; installed: boolean }
  | { available: false; reason: string };

/**
 * wrk from the distribution. Missing: installed with apt-get when this
 * process is root on Debian or Ubuntu and `install` is set; otherwise not
 * available, and the caller falls back to autocannon.
 */
export function ensureWrk(install: boolean, log: (message: string) => void): WrkStatus {
  if (commandExists('wrk')) return { available: true, installed: false };
  if (!install) return { available: false, reason: 'wrk is not installed' };
  if (process.getuid?.() !== 0)
    return { available: false, reason: 'wrk is not installed and this is not root (apt-get)' };
  if (!commandExists('apt-get'))
    return { available: false, reason: 'wrk is not installed and there is no apt-get' };
  log('wrk is missing: apt-get install wrk');
  // Another apt run may hold the lock for a while: wait for it rather than fail.
  const options = ['-o', 'DPkg::Lock::Timeout=300', '-y', '--no-install-recommends'];
  let result = spawnSync('apt-get', ['install', ...options, 'wrk'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'], { stdio: 'ignore' });
    result = spawnSync('apt-get', ['install', ...options, 'wrk'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  if (result.status === 0 && commandExists('wrk')) return { available: true, installed: true };
  return {
    available: false,
    reason: `apt-get install wrk failed: ${String(result.stderr).trim().split('\n').at(-1) ?? ''}`,
  };
}

/** `wrk debian/4.1.0-3+b2`, as wrk names itself. */
export function wrkVersion(): string {
  const output = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return /^(wrk \S+)/m.exec(`${output.stdout}${output.stderr}`)?.[1] ?? 'wrk';
}

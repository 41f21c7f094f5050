import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/http';
import { cpuSeconds, onCore, type Pinning } from './system';

export const ROOT = join(__dirname, '../..');

/** A server process started for one measurement. */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** CPU seconds (user + system, all threads) used so far. */
  cpuSeconds(): number;
  /** The last 4 KB the process wrote to stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Peak RSS of a live process from /proc (Linux); NaN elsewhere. */
export function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resolves when `url` answers 200, or rejects after `timeoutMs` (at once if `child` exits). */
export async function waitFor(
  url: string,
  timeoutMs = 30_000,
  child?: ChildProcess,
): Promise<void> {
  await eventually(
    async () => {
      if (child?.exitCode !== null && child?.exitCode !== undefined)
        throw new Error(`${url}: process exited with ${child.exitCode}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        return response.status;
      } catch {
        return undefined; // not up yet
      }
    },
    (status) => status === 200,
    { what: `${url} to answer 200`, timeoutMs, intervalMs: 100 },
  );
}

export interface StartOptions {
  name: string;
  /** Arguments to node: the script and its arguments. */
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath?: string;
  /** Runs the process on this core (taskset), when pinning is on. */
  core?: { pinning: Pinning; core: number };
  /** Options for node itself, before the script (e.g. --cpu-prof). */
  nodeOptions?: string[];
  /** Milliseconds to wait for the ready path. */
  startTimeoutMs?: number;
}

/**
 * Starts `node <args>` with `env`, waits for `readyPath` to answer 200, and
 * returns a handle that stops it by pid (SIGTERM, then SIGKILL after 15 s,
 * long enough for a CPU profile to be written).
 */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const nodeArgs = [...(options.nodeOptions ?? []), ...options.args];
  const [command, args] = options.core
    ? onCore(options.core.pinning, options.core.core, process.execPath, nodeArgs)
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitFor(
      `${url}${options.readyPath ?? '/healthz'}`,
      options.startTimeoutMs ?? 60_000,
      child,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${stderr}`);
  }
  const pid = child.pid as number;
  return {
    name: options.name,
    url,
    pid,
    peakRssMb: () => peakRssMb(pid),
    cpuSeconds: () => cpuSeconds(pid),
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/http';

export const ROOT = join(__dirname, '../..');

/** A server process started for one measurement. */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
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

/**
 * Starts `node <args>` with `env`, waits for `readyPath` to answer 200, and
 * returns a handle that stops it by pid (SIGTERM, then SIGKILL).
 */
export async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  port: number,
  readyPath = '/healthz',
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}${readyPath}`, 60_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${(error as Error).message}\n${stderr}`);
  }
  const pid = child.pid as number;
  return {
    name,
    url,
    pid,
    peakRssMb: () => peakRssMb(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

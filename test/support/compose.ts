import { spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';

const root = join(__dirname, '../..');

export interface ComposeResult {
  code: number | null;
  output: string;
}

/**
 * `docker compose` for one project of the repository's compose file (or
 * of `files`, relative to the repository root). Each test stack has its
 * own project name, so it never touches a developer's running stack and
 * can always be removed whole.
 */
export function compose(
  project: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 600_000,
  files: string[] = ['docker-compose.yml'],
): Promise<ComposeResult> {
  const fileArgs = files.flatMap((file) => ['-f', isAbsolute(file) ? file : join(root, file)]);
  return run('docker', ['compose', '-p', project, ...fileArgs, ...args], env, timeoutMs);
}

/** A `docker` command (a container by id: restart, kill, inspect), its output and exit code. */
export function docker(
  args: string[],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<ComposeResult> {
  return run('docker', args, env, timeoutMs);
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ComposeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Polls `url` until it answers 200 or the deadline passes. */
export async function waitUntilReady(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} not ready within ${deadlineMs} ms: ${last}`);
}

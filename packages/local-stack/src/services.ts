import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '@authpair/service-kit';

/** How long a service may take to become ready: migrations, the first key, the first JWKS read. */
const READY_TIMEOUT_MS = 120_000;
/** How long a service may take to stop after SIGTERM before it is killed (its drain is 10 s). */
const STOP_TIMEOUT_MS = 30_000;

/** One service of the stack, running as a child process. */
export interface ServiceProcess {
  name: string;
  url: string;
  /** Resolves with the exit code once the process has exited (null: killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
  stop(): Promise<void>;
}

/**
 * Starts `node <entry>` with `env`, its log lines on this process's stdout
 * and stderr, hands it to `track` at once (so a signal during the start
 * stops it too), and waits until `<url>/readyz` answers 200. Rejects if
 * the process exits first (a configuration error prints its reasons and
 * exits 78) or does not become ready in time.
 */
export async function startService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  url: string,
  logger: Logger,
  track: (service: ServiceProcess) => void,
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const service: ServiceProcess = {
    name,
    url,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        logger.warn({ service: name }, 'did not stop in time; killing it');
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
  track(service);
  const early = exited.then((code) => {
    throw new Error(`${name} exited with code ${code} before it was ready (its log says why)`);
  });
  try {
    await Promise.race([untilReady(`${url}/readyz`), early]);
  } catch (error) {
    await service.stop();
    throw error;
  }
  early.catch(() => {}); // from here on, an exit is the supervisor's to report
  return service;
}

async function untilReady(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ready = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within ${READY_TIMEOUT_MS / 1000} s`);
}

import type { Draining } from './draining';
import type { Logger } from './logger';

/** What a balanced instance does between the signal and the stop. */
export interface DrainOnSignal {
  draining: Draining;
  /**
   * How long it keeps serving, reporting unready, before `stop` closes the
   * listener (`SHUTDOWN_DELAY_MS`): long enough for the balancer's health
   * checks to take it out. On SIGTERM only: SIGINT is someone at a terminal.
   */
  delayMs: number;
}

/**
 * Signals that arrive within this long of the first are the same request
 * delivered twice, not an operator insisting: npm forwards a SIGTERM to its
 * script twice, and a terminal's Ctrl-C reaches every process of the
 * foreground group beside the copy npm forwards.
 */
const ECHO_WINDOW_MS = 2000;

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping
 * failed). With `drain`, the instance first reports unready and, on
 * SIGTERM, keeps serving for the delay. A signal while stopping is ignored
 * if it echoes the first (see ECHO_WINDOW_MS); a later one exits at once.
 */
export function onShutdownSignal(
  logger: Logger,
  stop: () => Promise<void>,
  drain?: DrainOnSignal,
): void {
  let stoppingSince: number | undefined;
  const exit = (code: number) => logger.flush(() => process.exit(code));
  const handle = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < ECHO_WINDOW_MS) {
        logger.debug({ signal }, 'signal while stopping; already stopping');
        return;
      }
      logger.warn({ signal }, 'second signal while stopping; exiting now');
      exit(1);
      return;
    }
    stoppingSince = Date.now();
    const delayMs = signal === 'SIGTERM' ? (drain?.delayMs ?? 0) : 0;
    drain?.draining.begin(`stopping: ${signal} received`);
    logger.info({ signal, delay_ms: delayMs }, 'stopping');
    waitFor(delayMs)
      .then(() => {
        if (delayMs > 0) logger.info('closing the listener');
        return stop();
      })
      .then(
        () => {
          logger.info('stopped');
          exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'failed to stop cleanly');
          exit(1);
        },
      );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

function waitFor(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

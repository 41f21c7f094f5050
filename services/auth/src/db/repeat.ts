/** A task running on a timer; `stop()` ends it after the run in progress, if any. */
export interface Repeating {
  stop(): void;
}

/**
 * Runs `task` `delayMs` after the previous run settled (runs never
 * overlap), until stopped; the first run `firstDelayMs` after the call. A
 * failure goes to `onError` and the next run happens as usual. The timer is
 * unref'd: it never keeps the process alive.
 */
export function repeatEvery(
  delayMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
  firstDelayMs = delayMs,
): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      task()
        .catch(onError)
        .finally(() => {
          if (!stopped) schedule(delayMs);
        });
    }, delay);
    timer.unref();
  };
  schedule(firstDelayMs);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** One request the load loop made, and whether it got the answer it expected. */
export interface Outcome {
  what: string;
  status: number;
  ok: boolean;
  at: number;
  detail?: string;
}

export interface RunningLoad {
  /** Every outcome so far, in completion order. */
  readonly outcomes: Outcome[];
  failures(): Outcome[];
  /** Stops the workers after their current iteration. */
  stop(): Promise<Outcome[]>;
}

/**
 * `concurrency` workers each running `iteration` back to back until
 * stopped; an iteration that throws is recorded as a failure, never lost.
 */
export function startLoad(
  concurrency: number,
  iteration: (worker: number) => Promise<Outcome[]>,
): RunningLoad {
  let running = true;
  const outcomes: Outcome[] = [];
  const workers = Array.from({ length: concurrency }, async (_, worker) => {
    while (running) {
      try {
        outcomes.push(...(await iteration(worker)));
      } catch (error) {
        outcomes.push({
          what: 'iteration',
          status: 0,
          ok: false,
          at: Date.now(),
          detail: error instanceof Error ? error.message : String(error),
        });
      }
    }
  });
  return {
    outcomes,
    failures: () => outcomes.filter((outcome) => !outcome.ok),
    async stop() {
      running = false;
      await Promise.all(workers);
      return outcomes;
    },
  };
}

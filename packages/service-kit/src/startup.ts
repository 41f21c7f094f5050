import type { Logger } from './logger';

/**
 * One step of a service's start: I/O its wiring declared (the composition
 * root builds objects only) and `runStartup` runs, in order, before the
 * service listens.
 */
export interface StartupStep {
  /** What is true once the step has run, as the log says it: `database reachable`, `migrated`. */
  readonly name: string;
  run(): Promise<void> | void;
}

/**
 * Runs the steps one after the other, logging each as it completes with its
 * duration, so a slow or stuck start says where it is. The first failure
 * stops the start and is thrown; undoing what earlier steps did is the
 * service's `close()`.
 */
export async function runStartup(steps: readonly StartupStep[], logger: Logger): Promise<void> {
  for (const step of steps) {
    const began = performance.now();
    await step.run();
    logger.info({ step: step.name, ms: Math.round(performance.now() - began) }, step.name);
  }
}

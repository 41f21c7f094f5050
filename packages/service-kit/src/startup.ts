import type { Logger } from './logger';
import { type Listeners, listenWithMetrics } from './metrics';

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

/** What starting adds to a wired service: its listeners, and a stop that closes them, then the service. */
export interface StartedListeners extends Listeners {
  url: string;
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a wired service that listens on its port and, when configured, a
 * metrics port: its startup steps (logged), then the listeners, then one
 * line saying where it listens (`describe` gives its fields and message).
 * A failure at any point closes the service and is thrown.
 */
export async function startListening<
  S extends Parameters<typeof listenWithMetrics>[0] & {
    startup: readonly StartupStep[];
    close(): Promise<void>;
  },
>(
  service: S,
  config: Parameters<typeof listenWithMetrics>[1],
  logger: Logger,
  describe: (listeners: Listeners) => [fields: Record<string, unknown>, message: string],
): Promise<S & StartedListeners> {
  try {
    await runStartup(service.startup, logger);
    const listeners = await listenWithMetrics(service, config);
    logger.info(...describe(listeners));
    const { server, metricsServer } = listeners;
    return {
      ...service,
      server,
      url: server.url,
      metricsServer,
      async stop(graceMs) {
        await Promise.all([server.close(graceMs), metricsServer?.close(graceMs)]);
        await service.close();
      },
    };
  } catch (error) {
    await service.close();
    throw error;
  }
}

import type { Logger } from '@authpair/service-kit';
import { type Repeating, repeatEvery } from '../db/repeat';
import type { KeyLifecycle } from './key-lifecycle';
import type { KeyRing } from './key-ring';

/** What one tick changed. */
export interface TickResult {
  /** The key that became active, if any. */
  activated: string | undefined;
  /** Keys that left the JWKS. */
  retired: string[];
  /** The pending key an automatic rotation added, if any. */
  created: string | undefined;
}

export interface KeySchedulerOptions {
  intervalMs: number;
  /** Called for each step taken, for metrics. */
  onStep?: (step: 'created' | 'activated' | 'retired') => void;
}

/**
 * Takes every scheduled lifecycle step when it is due: activates a pending
 * key, retires keys whose tokens have expired, and starts an automatic
 * rotation. Every replica ticks; each step runs under a try-lock, so one
 * replica at a time acts and the others skip. A failed tick (database down)
 * is logged and retried at the next one: no request depends on it.
 */
export class KeyScheduler {
  readonly #lifecycle: KeyLifecycle;
  readonly #ring: KeyRing;
  readonly #logger: Logger;
  readonly #options: KeySchedulerOptions;
  #ticking: Repeating | undefined;
  #running: Promise<TickResult> | undefined;

  constructor(
    lifecycle: KeyLifecycle,
    ring: KeyRing,
    logger: Logger,
    options: KeySchedulerOptions,
  ) {
    this.#lifecycle = lifecycle;
    this.#ring = ring;
    this.#logger = logger;
    this.#options = options;
  }

  start(): void {
    this.#ticking = repeatEvery(
      this.#options.intervalMs,
      () => this.tick(),
      (error) => this.#logger.warn({ err: error }, 'signing-key scheduler tick failed'),
    );
  }

  /** Stops ticking and waits for a tick in progress, so the pool can close under it. */
  async stop(): Promise<void> {
    this.#ticking?.stop();
    await this.#running?.catch(() => undefined);
  }

  /** Runs the due steps now; a tick already running is joined, not doubled. */
  tick(): Promise<TickResult> {
    this.#running ??= this.#tick().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #tick(): Promise<TickResult> {
    const activated = await this.#lifecycle.activateDue();
    const retired = await this.#lifecycle.removeDue();
    const created = await this.#lifecycle.rotateIfDue();
    const { onStep } = this.#options;
    if (activated !== undefined) onStep?.('activated');
    for (const _ of retired) onStep?.('retired');
    if (created !== undefined) onStep?.('created');
    // This replica learns at once; the others within their refresh interval.
    if (activated !== undefined || retired.length > 0 || created !== undefined)
      await this.#ring.refresh();
    return { activated, retired, created };
  }
}

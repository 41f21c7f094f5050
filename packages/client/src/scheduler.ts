/**
 * The background refresh timer. It runs only while the page is visible (a
 * hidden tab leaves the refresh to a visible one, or to its own next call,
 * and catches up when shown), and it never sleeps longer than a tick: a
 * timer does not count time the machine slept in every browser, so each
 * tick compares the wall clock with the due time again.
 */
import { onWake, timer } from './environment';
import type { Refresher } from './refresher';
import type { SessionStore } from './store';
import type { VisibilityLike } from './types';

const MAX_TICK_MS = 15_000;

export class RefreshScheduler {
  readonly #store: SessionStore;
  readonly #refresher: Refresher;
  readonly #visibility: VisibilityLike;
  readonly #clock: () => number;
  #handle: ReturnType<typeof setTimeout> | undefined;
  #stops: Array<() => void> = [];
  #running = false;

  constructor(
    store: SessionStore,
    refresher: Refresher,
    visibility: VisibilityLike,
    clock: () => number,
  ) {
    this.#store = store;
    this.#refresher = refresher;
    this.#visibility = visibility;
    this.#clock = clock;
  }

  start(): void {
    this.#running = true;
    this.#stops = [
      this.#visibility.onChange(() => this.schedule()),
      onWake(() => {
        this.#refresher.resetBackoff();
        this.schedule();
      }),
    ];
    this.schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#handle);
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  /** Sets the timer for the next refresh or retry; a refresh in flight reschedules when it settles. */
  schedule(): void {
    clearTimeout(this.#handle);
    this.#handle = undefined;
    const session = this.#store.current;
    if (!this.#running || session === undefined || this.#refresher.busy) return;
    if (!this.#visibility.isVisible()) return;
    const due = Math.max(session.refreshAt, this.#refresher.retryAt);
    const delay = Math.min(MAX_TICK_MS, Math.max(0, due - this.#clock()));
    this.#handle = timer(() => {
      this.#handle = undefined;
      if (this.#clock() >= due) this.#refresher.kick();
      this.schedule();
    }, delay);
  }
}

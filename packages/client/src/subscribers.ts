/**
 * The subscribers of one client and the delivery of events to them. While
 * held (this tab holds the refresh lock), events wait, so no subscriber
 * ever runs inside the lock: supabase-js ran them there, awaited, and a
 * subscriber that called the client waited for the lock its own caller
 * held. Callbacks are never awaited, and what they throw goes to `onError`.
 */
import type { AuthChange, AuthChangeCallback } from './types';

export class Subscribers {
  readonly #listeners = new Set<AuthChangeCallback>();
  readonly #onError: (error: unknown) => void;
  #held = 0;
  #queue: Array<() => void> = [];

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  add(callback: AuthChangeCallback): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  has(callback: AuthChangeCallback): boolean {
    return this.#listeners.has(callback);
  }

  /** Every change to every subscriber, in order. */
  emit(changes: readonly AuthChange[]): void {
    for (const change of changes)
      for (const callback of [...this.#listeners]) this.deliver(callback, change);
  }

  /** One change to one subscriber, now or when released. */
  deliver(callback: AuthChangeCallback, change: AuthChange): void {
    if (this.#held > 0) this.#queue.push(() => this.#call(callback, change));
    else this.#call(callback, change);
  }

  hold(): void {
    this.#held += 1;
  }

  release(): void {
    this.#held -= 1;
    if (this.#held > 0) return;
    const queue = this.#queue;
    this.#queue = [];
    for (const deliver of queue) deliver();
  }

  clear(): void {
    this.#listeners.clear();
    this.#queue = [];
  }

  #call(callback: AuthChangeCallback, change: AuthChange): void {
    try {
      const result: unknown = callback(change);
      if (result instanceof Promise) result.catch(this.#onError);
    } catch (error) {
      this.#onError(error);
    }
  }
}

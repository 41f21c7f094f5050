/**
 * `SHUTDOWN_DELAY_MS` unless set: a few health-check intervals of a
 * balancer checking every second or two (the HAProxy configuration in
 * deploy/ takes an instance out within about 2 s), so it has stopped
 * sending new requests before the listener closes.
 */
export const DEFAULT_SHUTDOWN_DELAY_MS = 5000;

/**
 * Whether this instance is on its way out. Once it begins, `/readyz`
 * answers 503 (a `shutdown` check, down, saying why) and every response
 * asks its client to close the connection, while the listener still
 * serves: a load balancer or Kubernetes takes the instance out of rotation,
 * and keep-alive clients reconnect elsewhere, before the listener closes.
 */
export interface Draining {
  /** Why it is stopping, once it began (`SIGTERM received`); undefined while serving normally. */
  readonly reason: string | undefined;
  /** Starts draining; only the first reason is kept. */
  begin(reason: string): void;
}

export function createDraining(): Draining {
  let reason: string | undefined;
  return {
    get reason() {
      return reason;
    },
    begin(why) {
      reason ??= why;
    },
  };
}

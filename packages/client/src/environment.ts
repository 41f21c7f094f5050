/**
 * What the client takes from its surroundings: the Web Lock, the
 * BroadcastChannel, the page's visibility, timers that do not hold a Node
 * process open. Each is an option, so tests and other runtimes pass their
 * own; these are the defaults.
 */
import { AuthpairClientError } from './errors';
import type { ChannelLike, CrossTabOptions, LockManagerLike, VisibilityLike } from './types';

interface Globals {
  document?: {
    visibilityState?: string;
    addEventListener(type: string, listener: () => void): void;
    removeEventListener(type: string, listener: () => void): void;
  };
  navigator?: { locks?: LockManagerLike };
  BroadcastChannel?: new (name: string) => ChannelLike;
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

const globals = globalThis as unknown as Globals;

export interface CrossTab {
  locks: LockManagerLike | null;
  channel: ChannelLike | null;
  lockTimeoutMs: number;
}

/** Cross-tab coordination is on by default in a page (there are tabs), off elsewhere. */
export function crossTabOf(options: CrossTabOptions | false | undefined, name: string): CrossTab {
  const wanted = options ?? (globals.document === undefined ? false : {});
  if (wanted === false) return { locks: null, channel: null, lockTimeoutMs: 0 };
  const locks = wanted.locks === undefined ? (globals.navigator?.locks ?? null) : wanted.locks;
  const Channel = globals.BroadcastChannel;
  const open =
    wanted.channel === undefined
      ? Channel === undefined
        ? null
        : (channelName: string) => new Channel(channelName)
      : wanted.channel;
  const channel = open === null ? null : open(name);
  // A Node BroadcastChannel would otherwise keep the process alive.
  channel?.unref?.();
  return { locks, channel, lockTimeoutMs: wanted.lockTimeoutMs ?? 15_000 };
}

/** The page's visibility; outside a page (Node, workers) always visible. */
export function defaultVisibility(): VisibilityLike {
  const document = globals.document;
  if (document === undefined) return { isVisible: () => true, onChange: () => () => {} };
  return {
    isVisible: () => document.visibilityState !== 'hidden',
    onChange(listener) {
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
  };
}

/**
 * Calls `listener` when the page comes back from the back-forward cache or
 * the network returns: moments when a refresh may be overdue.
 */
export function onWake(listener: () => void): () => void {
  const { addEventListener, removeEventListener } = globals;
  if (addEventListener === undefined || removeEventListener === undefined) return () => {};
  for (const type of ['online', 'pageshow']) addEventListener.call(globalThis, type, listener);
  return () => {
    for (const type of ['online', 'pageshow']) removeEventListener.call(globalThis, type, listener);
  };
}

/** setTimeout that never keeps a Node process alive by itself. */
export function timer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  const handle = setTimeout(callback, ms);
  (handle as { unref?: () => void }).unref?.();
  return handle;
}

/**
 * Runs `critical` holding the exclusive lock `name`. Waits at most
 * `timeoutMs` for it (an infinite wait is how supabase-js hung whole
 * apps): then a retryable `lock_timeout`. `steal` takes the lock from a
 * holder that never lets go. Where the API exists but refuses (an opaque
 * origin), there are no other tabs to coordinate with: run unlocked.
 */
export async function withLock<T>(
  crossTab: CrossTab,
  name: string,
  critical: () => Promise<T>,
  steal = false,
): Promise<T> {
  const { locks, lockTimeoutMs } = crossTab;
  if (locks === null) return critical();
  if (steal) return locks.request(name, { steal: true }, critical);
  const controller = new AbortController();
  let acquired = false;
  const timeout = timer(() => controller.abort(), lockTimeoutMs);
  try {
    return await locks.request(name, { mode: 'exclusive', signal: controller.signal }, () => {
      acquired = true;
      clearTimeout(timeout);
      return critical();
    });
  } catch (error) {
    if (acquired) throw error;
    if (controller.signal.aborted)
      throw new AuthpairClientError('lock_timeout', `another tab held ${name} too long`, {
        retryable: true,
        cause: error,
      });
    return critical();
  } finally {
    clearTimeout(timeout);
  }
}

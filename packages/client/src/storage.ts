/**
 * Where the session lives. Memory is the default: nothing survives the
 * page, and nothing sits in storage for an injected script to read later.
 * `localStorage` and `sessionStorage` hold the refresh token where any
 * script of the origin can read it (an XSS steals it in one line), so they
 * are only ever used when the application passes an adapter explicitly.
 * docs/client.md weighs the trade-off.
 */

export interface StorageAdapter {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
  /**
   * Who sees what is stored:
   * - `tab`: this client only (memory). Each tab has its own session; the
   *   channel carries sign-outs, never tokens.
   * - `copied`: this tab, copied into a tab duplicated from it
   *   (`sessionStorage`). Both copies hold one token family, so rotations
   *   travel to the other tabs with their tokens, and a tab adopts them
   *   only for the session it holds.
   * - `shared`: every tab of the origin (`localStorage`): one session for
   *   all; a sign-in in one tab signs the others in.
   */
  readonly scope: StorageScope;
}

export type StorageScope = 'tab' | 'copied' | 'shared';

/** The default: a Map in this client's memory. */
export function memoryStorage(): StorageAdapter {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    scope: 'tab',
  };
}

/** The part of the Web Storage API an adapter needs. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A Web Storage area, or anything shaped like one. The session survives
 * reloads, and is readable by every script of the origin.
 */
export function webStorage(storage: WebStorageLike, scope: StorageScope): StorageAdapter {
  return {
    getItem: (key) => storage.getItem(key),
    setItem: (key, value) => storage.setItem(key, value),
    removeItem: (key) => storage.removeItem(key),
    scope,
  };
}

/** `localStorage`: one session for every tab, surviving the browser's restart. */
export function localStorageAdapter(): StorageAdapter {
  return webStorage(webStorageArea('localStorage'), 'shared');
}

/**
 * `sessionStorage`: one session per tab, surviving reloads. A duplicated
 * tab starts with a copy of the same tokens; the channel keeps both copies
 * on the newest ones, so neither presents a spent token.
 */
export function sessionStorageAdapter(): StorageAdapter {
  return webStorage(webStorageArea('sessionStorage'), 'copied');
}

function webStorageArea(name: 'localStorage' | 'sessionStorage'): WebStorageLike {
  const area = (globalThis as { [key: string]: unknown })[name] as WebStorageLike | undefined;
  if (area === undefined) throw new TypeError(`${name} is not available here`);
  return area;
}

import type { KeyObject } from 'node:crypto';
import type { AccessTokenClaims } from '@authpair/contracts';

/** Signature characters the doorkeeper folds into its number. */
const SIGNATURE_TAIL = 8;

/**
 * The last signature characters folded into 30 bits. A number, not a
 * substring: V8 keeps a substring as a slice of its parent, so remembering
 * 10,000 tails would keep 10,000 whole tokens alive. And 30 bits, not
 * more: a V8 small integer, stored in the Set's own table, where a wider
 * number would be a heap cell per token, promoted and swept later.
 */
function signatureTail(token: string): number {
  let key = 0;
  for (let i = Math.max(0, token.length - SIGNATURE_TAIL); i < token.length; i += 1) {
    key = (Math.imul(key, 31) + token.charCodeAt(i)) & 0x3fffffff;
  }
  return key;
}

interface Entry {
  /** The whole token: a hit is this very token, never another with the same tail. */
  token: string;
  claims: Readonly<AccessTokenClaims>;
  /** The key that verified the token: a hit counts only while the issuer still publishes it under `kid`. */
  kid: string;
  key: KeyObject;
  /** Epoch ms after which the entry is dead: the token's `exp`, or `iat` + max age if sooner. */
  expiresAt: number;
}

/** What a hit must still be true of, checked on every lookup. */
export interface KeyPresence {
  /** Whether `kid` is in the current, usable key set and still names `key` (not another key under its name). */
  holds(kid: string, key: KeyObject): boolean;
}

/**
 * Verified claims by token, so a client that calls many times with one
 * access token pays for RS256 verification once (Envoy's jwt_authn keeps
 * the same kind of cache). It is safe because of what it never does:
 *
 * - it holds only tokens that passed full verification, never failures, so
 *   garbage cannot fill it, and an attacker gains nothing from it;
 * - an entry dies at the token's `exp` (or `iat` + the max age, if sooner),
 *   never later than full verification would refuse it;
 * - a hit counts only while the key that verified the token is still in the
 *   usable key set under its kid, so removing a key, publishing another
 *   under its kid, or the set going stale past its bound, ends every entry
 *   it verified at once;
 * - revocation is not its business: the session check runs on every
 *   request after it, hit or miss.
 *
 * Bounded, least recently used out first. A hit is the whole token, equal.
 *
 * A token is admitted on its second verification, not its first (a
 * "doorkeeper", as in TinyLFU): when every token is new, caching each one
 * only churns the heap (measured: 12% fewer requests/s with 20,000 distinct
 * tokens); a client that calls again is cached from its third call on. The
 * doorkeeper remembers 30 bits of the signature of recent tokens: admission
 * is decided after full verification, so a collision there can only cache
 * a token that has just been verified.
 */
export class VerifiedTokenCache {
  readonly #maxEntries: number;
  readonly #keys: KeyPresence;
  /**
   * Entries by signature tail, each holding its whole token. Keyed by the
   * tail rather than the token: a request's token is a new 800-character
   * string, and a Map keyed by it hashes every character on every lookup,
   * hit or miss. Two live tokens sharing a tail only take turns in the
   * cache: a hit needs the whole token to be equal.
   */
  readonly #entries = new Map<number, Entry>();
  /** Signature tails of tokens verified once recently; cleared when full. */
  readonly #seen = new Set<number>();
  hits = 0;
  misses = 0;

  constructor(maxEntries: number, keys: KeyPresence) {
    this.#maxEntries = maxEntries;
    this.#keys = keys;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string, now: number): Readonly<AccessTokenClaims> | undefined {
    // Typed a string, but a JavaScript caller may pass anything: full verification refuses it.
    if (typeof token !== 'string') {
      this.misses += 1;
      return undefined;
    }
    const tail = signatureTail(token);
    const entry = this.#entries.get(tail);
    if (
      entry === undefined ||
      entry.token !== token ||
      entry.expiresAt <= now ||
      !this.#keys.holds(entry.kid, entry.key)
    ) {
      // A dead entry of this token goes; another token's entry under the same tail stays.
      if (entry !== undefined && entry.token === token) this.#entries.delete(tail);
      this.misses += 1;
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.#entries.delete(tail);
    this.#entries.set(tail, entry);
    this.hits += 1;
    return entry.claims;
  }

  set(
    token: string,
    claims: AccessTokenClaims,
    { kid, key }: { kid: string; key: KeyObject },
    expiresAt: number,
  ): Readonly<AccessTokenClaims> {
    const frozen = Object.freeze(claims);
    if (this.#maxEntries === 0) return frozen;
    const tail = signatureTail(token);
    if (!this.#admit(tail)) return frozen;
    // Replacing an entry under the same tail moves it to the most recent end.
    if (!this.#entries.delete(tail) && this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(tail, { token, claims: frozen, kid, key, expiresAt });
    return frozen;
  }

  clear(): void {
    this.#entries.clear();
    this.#seen.clear();
  }

  /** Whether this token was verified once before (recently); remembers it if not. */
  #admit(tail: number): boolean {
    if (this.#seen.delete(tail)) return true;
    if (this.#seen.size >= this.#maxEntries) this.#seen.clear();
    this.#seen.add(tail);
    return false;
  }
}

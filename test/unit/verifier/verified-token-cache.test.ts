import { generateKeyPairSync } from 'node:crypto';
import { type AccessTokenClaims, VerifiedTokenCache } from '@authpair/verifier';

const { publicKey: key } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const claims = (sub: string): AccessTokenClaims => ({
  iss: 'i',
  sub,
  aud: 'a',
  exp: 0,
  iat: 0,
  jti: sub,
  client_id: 'c',
  username: sub,
});

/** Verified twice: the doorkeeper admits a token on its second verification. */
function admit(
  cache: VerifiedTokenCache,
  token: string,
  sub: string,
  kid: string,
  expiresAt: number,
) {
  cache.set(token, claims(sub), { kid, key }, expiresAt);
  cache.set(token, claims(sub), { kid, key }, expiresAt);
}

function keySet(kids: string[]) {
  const held = new Set(kids);
  return { held, holds: (kid: string) => held.has(kid) };
}

describe('verified-token cache', () => {
  it('returns the frozen claims until the entry expires', () => {
    const cache = new VerifiedTokenCache(10, keySet(['k']));
    admit(cache, 't', 'a', 'k', 1000);
    expect(cache.get('t', 999)).toEqual(claims('a'));
    expect(Object.isFrozen(cache.get('t', 999))).toBe(true);
    expect(cache.get('t', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stops answering for a token the moment its key leaves the key set', () => {
    const keys = keySet(['k']);
    const cache = new VerifiedTokenCache(10, keys);
    admit(cache, 't', 'a', 'k', 1000);
    keys.held.delete('k');
    expect(cache.get('t', 0)).toBeUndefined();
    keys.held.add('k');
    expect(cache.get('t', 0)).toBeUndefined(); // the entry was dropped, not just hidden
  });

  it('answers only the very token it verified, never another ending in the same characters', () => {
    const cache = new VerifiedTokenCache(10, keySet(['k']));
    const tail = 'SAME-SIGNATURE-TAIL';
    admit(cache, `header.payload-of-alice.${tail}`, 'alice', 'k', 1000);
    expect(cache.get(`header.payload-of-mallory.${tail}`, 0)).toBeUndefined();
    expect(cache.get(`header.payload-of-alice.${tail}`, 0)).toEqual(claims('alice'));
    // The other token's miss did not evict alice's entry.
    expect(cache.size).toBe(1);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new VerifiedTokenCache(2, keySet(['k']));
    admit(cache, 'a', 'a', 'k', 1000);
    admit(cache, 'b', 'b', 'k', 1000);
    cache.get('a', 0); // a is now more recent than b
    admit(cache, 'c', 'c', 'k', 1000);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('holds nothing when its size is 0', () => {
    const cache = new VerifiedTokenCache(0, keySet(['k']));
    admit(cache, 't', 'a', 'k', 1000);
    expect(cache.get('t', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('counts hits and misses', () => {
    const cache = new VerifiedTokenCache(10, keySet(['k']));
    cache.get('t', 0);
    admit(cache, 't', 'a', 'k', 1000);
    cache.get('t', 0);
    cache.get('t', 0);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 1 });
  });

  it('admits a token on its second verification, not its first', () => {
    const cache = new VerifiedTokenCache(10, keySet(['k']));
    cache.set('t', claims('a'), { kid: 'k', key }, 1000);
    expect(cache.get('t', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('t', claims('a'), { kid: 'k', key }, 1000);
    expect(cache.get('t', 0)).toEqual(claims('a'));
  });
});

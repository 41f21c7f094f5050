import { generateKeyPairSync } from 'node:crypto';
import {
  InvalidTokenError,
  JwksCache,
  JwksUnavailableError,
  SILENT_LOGGER,
} from '@authpair/verifier';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };

type Answer = () => Promise<Response> | Response;

/** A fetch whose answers the test scripts, counting calls; the cache's HTTP is tested for real in the security suite. */
function scriptedFetch() {
  let answer: Answer = () =>
    Response.json({ keys: [jwk] }, { headers: { 'cache-control': 'max-age=60' } });
  const calls: string[] = [];
  const fetchImpl = (async (url: string | URL | Request) => {
    calls.push(String(url));
    return answer();
  }) as typeof fetch;
  return { fetchImpl, calls, answerWith: (next: Answer) => (answer = next) };
}

const options = {
  url: 'http://issuer.test/jwks',
  timeoutMs: 1000,
  cooldownMs: 60_000,
  defaultTtl: 300,
  minTtl: 0,
  maxTtl: 3600,
  maxStale: 600,
};
const logger = SILENT_LOGGER;

afterEach(() => jest.useRealTimers());

describe('JWKS cache policy', () => {
  it('fetches once, then serves known kids from memory', async () => {
    const { fetchImpl, calls } = scriptedFetch();
    const cache = new JwksCache(options, logger, fetchImpl);
    await cache.getKey('k1');
    await cache.getKey('k1');
    expect(calls).toHaveLength(1);
    expect(cache.snapshot().status).toBe('fresh');
  });

  it('answers 500 concurrent unknown kids with one fetch per cooldown', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { fetchImpl, calls } = scriptedFetch();
    const cache = new JwksCache(options, logger, fetchImpl);
    await cache.getKey('k1');
    const flood = () =>
      Promise.allSettled(Array.from({ length: 500 }, (_, i) => cache.getKey(`random-${i}`)));
    const allInvalid = (results: PromiseSettledResult<unknown>[]) =>
      results.every(
        (result) => result.status === 'rejected' && result.reason instanceof InvalidTokenError,
      );

    expect(allInvalid(await flood())).toBe(true); // within the cooldown of the first fetch: no fetch
    expect(calls).toHaveLength(1);
    jest.setSystemTime(options.cooldownMs);
    expect(allInvalid(await flood())).toBe(true); // cooldown over: one fetch for all 500
    expect(calls).toHaveLength(2);
    expect(allInvalid(await flood())).toBe(true);
    expect(calls).toHaveLength(2);
    expect(cache.counters.unknownKid).toBe(1500);
  });

  it('keeps verifying with the last good set past its lifetime while the endpoint fails (stale-if-error)', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { fetchImpl, answerWith } = scriptedFetch();
    const cache = new JwksCache({ ...options, cooldownMs: 1000 }, logger, fetchImpl);
    await cache.getKey('k1');
    answerWith(() => new Response('<html>down</html>', { status: 502 }));
    jest.setSystemTime(120_000); // past max-age=60
    await expect(cache.getKey('k1')).resolves.toBeDefined();
    await cache.refresh();
    expect(cache.snapshot().status).toBe('stale');
    await expect(cache.getKey('k1')).resolves.toBeDefined();
    // an unknown kid cannot be decided while the endpoint is down: 503, not 401
    await expect(cache.getKey('other')).rejects.toBeInstanceOf(JwksUnavailableError);
    // beyond lifetime + maxStale, the old set is no longer trusted
    jest.setSystemTime(60_000 + 600_000 + 1);
    await expect(cache.getKey('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(cache.snapshot().status).toBe('expired');
  });

  it('reports unavailable on a cold cache and recovers once the endpoint answers', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { fetchImpl, calls, answerWith } = scriptedFetch();
    answerWith(() => Promise.reject(new TypeError('fetch failed')));
    const cache = new JwksCache({ ...options, cooldownMs: 5000 }, logger, fetchImpl);
    const error = await cache.getKey('k1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JwksUnavailableError);
    expect((error as JwksUnavailableError).retryAfterSeconds).toBe(5);
    // within the cooldown: no new fetch, same answer
    await expect(cache.getKey('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(calls).toHaveLength(1);
    answerWith(() => Response.json({ keys: [jwk] }));
    jest.setSystemTime(5000);
    await expect(cache.getKey('k1')).resolves.toBeDefined();
    expect(cache.snapshot().status).toBe('fresh');
  });

  it('stopped while its first fetch runs, it fetches no more', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { fetchImpl, calls } = scriptedFetch();
    const cache = new JwksCache(options, logger, fetchImpl);
    const started = cache.start();
    cache.stop(); // a verifier closed as soon as it was created
    await started;
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it.each([
    ['an empty object', () => Response.json({})],
    [
      'HTML',
      () => new Response('<!doctype html><p>hi</p>', { headers: { 'content-type': 'text/html' } }),
    ],
    ['a 500', () => new Response('oops', { status: 500 })],
    [
      'a set with no usable key',
      () => Response.json({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'k1' }] }),
    ],
  ])('treats %s as a failed fetch', async (_name, answer) => {
    const { fetchImpl, answerWith } = scriptedFetch();
    answerWith(answer);
    const cache = new JwksCache(options, logger, fetchImpl);
    await expect(cache.getKey('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(cache.counters.failures).toBe(1);
    expect(cache.snapshot()).toMatchObject({ status: 'never_fetched', keys: 0 });
  });

  it.each([
    ['public, max-age=120', 120],
    ['max-age=999999', 3600],
    ['no-store', 30],
    [null, 300],
  ])('derives the lifetime from Cache-Control %s', async (cacheControl, seconds) => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { fetchImpl, answerWith } = scriptedFetch();
    answerWith(() =>
      Response.json(
        { keys: [jwk] },
        cacheControl === null ? {} : { headers: { 'cache-control': cacheControl } },
      ),
    );
    const cache = new JwksCache({ ...options, minTtl: 30 }, logger, fetchImpl);
    await cache.refresh();
    expect(cache.snapshot().expiresAt).toBe(new Date(seconds * 1000).toISOString());
  });
});

describe('JWKS fetch failure reasons (metric labels)', () => {
  it.each([
    ['a refused connection', () => Promise.reject(new TypeError('fetch failed')), 'network'],
    [
      'a timeout',
      () =>
        Promise.reject(
          new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
        ),
      'timeout',
    ],
    ['a 503', () => new Response('down', { status: 503 }), 'http_status'],
    ['HTML', () => new Response('<!doctype html>', { status: 200 }), 'not_json'],
    ['an empty object', () => Response.json({}), 'invalid_document'],
    [
      'a private key member',
      () => Response.json({ keys: [{ ...jwk, d: 'AQAB' }] }),
      'invalid_document',
    ],
    [
      'no RS256 key',
      () => Response.json({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
      'no_usable_key',
    ],
    [
      'a declared length over the limit',
      () => new Response('{}', { headers: { 'content-length': String(10 * 1024 * 1024) } }),
      'too_large',
    ],
  ] as const)('labels %s as %s, and a success as such', async (_name, answer, reason) => {
    const { fetchImpl, answerWith } = scriptedFetch();
    const seen: Array<string | undefined> = [];
    const observer = { fetched: (_seconds: number, why?: string) => seen.push(why) };
    const cache = new JwksCache(options, logger, fetchImpl, observer);
    answerWith(answer);
    await cache.refresh();
    answerWith(() => Response.json({ keys: [jwk] }));
    await cache.refresh();
    expect(seen).toEqual([reason, undefined]);
  });
});

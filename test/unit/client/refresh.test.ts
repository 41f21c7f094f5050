import {
  type AuthChange,
  AuthpairClient,
  type AuthpairClientError,
  DEFAULT_REFRESH_TIMEOUT_MS,
} from '@authpair/client';
import { authConfig } from '../../support/services';
import { FakeAuth, optionsFor, PASSWORD, reported, settle } from './fakes';

/** The client's own clock, moved by hand: expiry is what the client computes, so this is time for it. */
let now = 1_000_000;
const clock = () => now;
let auth: FakeAuth;

beforeEach(() => {
  now = 1_000_000;
  auth = new FakeAuth();
});
afterEach(() => expect(reported.splice(0)).toEqual([]));

async function signedIn(overrides = {}) {
  const client = new AuthpairClient(optionsFor(auth, { clock, ...overrides }));
  const changes: AuthChange[] = [];
  client.onAuthStateChange((change) => changes.push(change));
  await client.login({ username: 'alice', password: PASSWORD });
  return { client, changes };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: AuthpairClientError) => error.code,
  );

describe('getAccessToken', () => {
  it('returns the token as is before the refresh point, without calling auth', async () => {
    const { client } = await signedIn();
    const token = client.getSession()?.accessToken;
    now += 840_000 - 1;
    expect(await client.getAccessToken()).toBe(token);
    expect(auth.tokenCalls).toBe(0);
  });

  it('between the refresh point and expiry, answers at once and refreshes once in the background', async () => {
    const { client } = await signedIn();
    const token = client.getSession()?.accessToken;
    now += 850_000;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set([token]));
    await settle();
    expect(auth.tokenCalls).toBe(1);
    expect(client.getSession()?.accessToken).not.toBe(token);
  });

  it('after expiry, 50 concurrent callers share one refresh and all get its token', async () => {
    const { client } = await signedIn();
    now += 900_000;
    auth.closeGate();
    const pending = Array.from({ length: 50 }, () => client.getAccessToken());
    await settle();
    auth.openGate();
    const tokens = await Promise.all(pending);
    expect(auth.tokenCalls).toBe(1);
    expect(auth.reuses).toBe(0);
    expect(new Set(tokens)).toEqual(new Set([client.getSession()?.accessToken]));
  });

  it('is not_signed_in without a session', async () => {
    const client = new AuthpairClient(optionsFor(auth, { clock }));
    expect(await codeOf(client.getAccessToken())).toBe('not_signed_in');
  });
});

describe('a refused refresh (invalid_grant) ends the session with its reason', () => {
  it.each([
    ['reuse_detected', 'reuse_detected'],
    ['session_ended', 'revoked'],
    ['user_disabled', 'disabled'],
    ['expired', 'expired'],
    ['invalid', 'revoked'],
  ])('%s: SIGNED_OUT with reason %s, state cleared first', async (serverReason, reason) => {
    const { client, changes } = await signedIn();
    const sid = client.getSession()?.sessionId as string;
    auth.end(sid, serverReason);
    if (serverReason === 'invalid') auth.refreshTokens.clear();
    now += 900_000;
    const error = await client.getAccessToken().catch((caught: AuthpairClientError) => caught);
    expect(error).toMatchObject({ code: 'signed_out', reason });
    expect(client.getSession()).toBeNull();
    expect(changes.at(-1)).toEqual({ event: 'SIGNED_OUT', session: null, reason });
    expect(auth.tokenCalls).toBe(1);
  });
});

describe('a refresh that does not answer', () => {
  it('is given up after refreshTimeoutMs and retried, and the retry signs in', async () => {
    const { client } = await signedIn({ refreshTimeoutMs: 50 });
    let release = () => {};
    auth.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    now += 900_000;
    await expect(codeOf(client.getAccessToken())).resolves.toBe('network');
    auth.gate = undefined;
    release();
    now += 2_000;
    await expect(client.getAccessToken()).resolves.toEqual(expect.any(String));
    expect(auth.reuses).toBe(0);
  });

  it('is given up, by default, sooner than the auth service lets a retry get the same token', () => {
    const graceMs = authConfig('postgres://localhost/unused').sessions.reuseGraceSeconds * 1000;
    expect(DEFAULT_REFRESH_TIMEOUT_MS).toBeLessThan(graceMs);
  });
});

describe('a refresh that fails for the network or a 5xx', () => {
  it('keeps the session, and the access token is used while it is valid', async () => {
    const { client, changes } = await signedIn();
    const token = client.getSession()?.accessToken;
    auth.mode = 'network_error';
    now += 850_000;
    expect(await client.getAccessToken()).toBe(token);
    await settle();
    expect(auth.tokenCalls).toBe(1);
    auth.mode = 'unavailable';
    now += 40_000;
    expect(await client.getAccessToken()).toBe(token);
    await settle();
    expect(auth.tokenCalls).toBe(2);
    expect(client.getSession()?.accessToken).toBe(token);
    expect(changes.map((change) => change.event)).toEqual(['INITIAL_SESSION', 'SIGNED_IN']);
  });

  it('once expired, rejects the call as retryable and still keeps the session', async () => {
    const { client } = await signedIn();
    auth.mode = 'unavailable';
    now += 900_000;
    const error = await client.getAccessToken().catch((caught: AuthpairClientError) => caught);
    expect(error).toMatchObject({ code: 'service_unavailable', status: 503, retryable: true });
    expect(client.getSession()).not.toBeNull();
    auth.mode = 'up';
    now += 1_000;
    await expect(client.getAccessToken()).resolves.toEqual(expect.any(String));
    expect(client.getSession()?.expiresAt).toBe(now + 900_000);
  });

  /** Calls every 100 ms of client time for `ms`; returns when /token was called. */
  async function attemptsOver(client: AuthpairClient, ms: number): Promise<number[]> {
    const attempts: number[] = [];
    for (const end = now + ms; now < end; now += 100) {
      const before = auth.tokenCalls;
      await client.getAccessToken();
      await settle();
      if (auth.tokenCalls > before) attempts.push(now);
    }
    return attempts;
  }

  it('is retried with a backoff that doubles and is capped', async () => {
    auth.expiresIn = 3600;
    const { client } = await signedIn({ retry: { baseMs: 1_000, maxMs: 8_000 } });
    auth.mode = 'unavailable';
    now += 3_540_000;
    const attempts = await attemptsOver(client, 55_000);
    const gaps = attempts.slice(1).map((at, index) => at - (attempts[index] as number));
    // Jitter draws each delay from [backoff/2, backoff]; the cap holds it at 8 s.
    const bounds = [1_000, 2_000, 4_000, 8_000, 8_000, 8_000];
    expect(gaps.length).toBeGreaterThanOrEqual(bounds.length);
    gaps.slice(0, bounds.length).forEach((gap, index) => {
      const bound = bounds[index] as number;
      expect(gap).toBeGreaterThanOrEqual(bound / 2);
      expect(gap).toBeLessThanOrEqual(bound + 100);
    });
  });

  it('waits at least what Retry-After says', async () => {
    auth.expiresIn = 3600;
    const { client } = await signedIn({ retry: { baseMs: 1_000, maxMs: 8_000 } });
    auth.mode = 'unavailable';
    auth.retryAfter = '20';
    now += 3_540_000;
    const attempts = await attemptsOver(client, 45_000);
    expect(attempts.length).toBe(3);
    expect((attempts[1] as number) - (attempts[0] as number)).toBeGreaterThanOrEqual(20_000);
  });
});

describe('a refresh finishing after a logout', () => {
  it.each([
    ['rotated, its answer aborted by the logout', false],
    ['rotated and answered after the logout', true],
  ])('is thrown away (%s): no session, no event after SIGNED_OUT', async (_, ignoreAbort) => {
    auth.ignoreAbort = ignoreAbort;
    auth.gateAfterRotation = true;
    const { client, changes } = await signedIn();
    now += 850_000;
    auth.closeGate();
    await client.getAccessToken(); // starts the background refresh, which waits at the gate
    await settle();
    expect(auth.tokenCalls).toBe(1);
    await client.logout();
    auth.openGate();
    await settle();
    expect(client.getSession()).toBeNull();
    expect(changes.map((change) => change.event)).toEqual([
      'INITIAL_SESSION',
      'SIGNED_IN',
      'SIGNED_OUT',
    ]);
    expect(changes.at(-1)?.reason).toBe('user');
    expect(await codeOf(client.getAccessToken())).toBe('not_signed_in');
  });
});

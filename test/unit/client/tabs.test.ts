import {
  type AuthChange,
  AuthpairClient,
  type AuthpairClientError,
  type AuthpairClientOptions,
  memoryStorage,
  type StorageAdapter,
} from '@authpair/client';
import {
  FakeAuth,
  FakeBus,
  FakeLocks,
  optionsFor,
  PASSWORD,
  reported,
  settle,
  sharedArea,
} from './fakes';

/**
 * Several tabs of one origin, each its own client, sharing the fake Web
 * Locks, a BroadcastChannel bus and (for localStorage) one storage area.
 * The fake auth service ends a session on any spent token (no grace
 * window), so a double refresh cannot go unnoticed.
 */
const LOCK = 'authpair:authpair.session';
let now: number;
let auth: FakeAuth;
let locks: FakeLocks;
let bus: FakeBus;
const clients: AuthpairClient[] = [];

beforeEach(() => {
  now = 1_000_000;
  auth = new FakeAuth();
  locks = new FakeLocks();
  bus = new FakeBus();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
  expect(reported.splice(0)).toEqual([]);
});

function tab(storage: StorageAdapter, overrides: Partial<AuthpairClientOptions> = {}) {
  const client = new AuthpairClient(
    optionsFor(auth, {
      clock: () => now,
      storage,
      crossTab: { locks, channel: bus.open, lockTimeoutMs: 200 },
      ...overrides,
    }),
  );
  clients.push(client);
  const changes: AuthChange[] = [];
  client.onAuthStateChange((change) => changes.push(change));
  return { client, changes };
}

const events = (changes: AuthChange[]) => changes.map(({ event, reason }) => reason ?? event);

async function twoTabsSignedIn(scope: 'shared' | 'copied' = 'shared') {
  const area = sharedArea(scope);
  const a = tab(area.adapter());
  await a.client.login({ username: 'alice', password: PASSWORD });
  // sessionStorage is copied into a duplicated tab: B starts from a copy of A's area.
  const copy = scope === 'shared' ? area : sharedArea(scope);
  if (scope === 'copied') for (const [key, value] of area.items) copy.items.set(key, value);
  const b = tab(copy.adapter());
  await b.client.ready;
  await settle();
  return { a, b, area, copy };
}

describe('two tabs that need a refresh at once', () => {
  it.each([
    ['localStorage', 'shared' as const],
    ['a duplicated sessionStorage', 'copied' as const],
  ])('with %s: one refresh; the other tab takes its result', async (_, scope) => {
    const { a, b } = await twoTabsSignedIn(scope);
    now += 900_000;
    auth.closeGate();
    const tokens = Promise.all([a.client.getAccessToken(), b.client.getAccessToken()]);
    await settle();
    auth.openGate();
    const [tokenA, tokenB] = await tokens;
    expect(auth.tokenCalls).toBe(1);
    expect(auth.reuses).toBe(0);
    expect(tokenB).toBe(tokenA);
    expect(b.client.getSession()).toEqual(a.client.getSession());
  });

  it('without the lock (supabase/auth-js #213), both refresh and the server ends the session', async () => {
    const area = sharedArea();
    const a = tab(area.adapter(), { crossTab: { locks: null, channel: bus.open } });
    await a.client.login({ username: 'alice', password: PASSWORD });
    const b = tab(area.adapter(), { crossTab: { locks: null, channel: bus.open } });
    await b.client.ready;
    now += 900_000;
    const outcomes = await Promise.allSettled([
      a.client.getAccessToken(),
      b.client.getAccessToken(),
    ]);
    expect(auth.reuses).toBe(1);
    expect(outcomes.map((outcome) => outcome.status)).toContain('rejected');
  });

  it('a tab that waited for the lock while the other rotated does not call auth at all', async () => {
    const { a, b } = await twoTabsSignedIn();
    now += 850_000;
    await a.client.refreshSession();
    expect(auth.tokenCalls).toBe(1);
    expect(await b.client.getAccessToken()).toBe(a.client.getSession()?.accessToken);
    expect(auth.tokenCalls).toBe(1);
  });
});

describe('the refresh lock', () => {
  it('is given up after lockTimeoutMs while the token is valid: retryable, the session kept', async () => {
    const { a } = await twoTabsSignedIn();
    const release = locks.hold(LOCK);
    now += 900_000 - 1;
    const error = await a.client.refreshSession().catch((caught: AuthpairClientError) => caught);
    expect(error).toMatchObject({ code: 'lock_timeout', retryable: true });
    expect(a.client.getSession()).not.toBeNull();
    expect(auth.tokenCalls).toBe(0);
    release();
  });

  it('is taken from a holder that kept it past the token’s whole lifetime (a frozen tab)', async () => {
    const { a } = await twoTabsSignedIn();
    locks.hold(LOCK); // never released
    now += 900_000;
    await expect(a.client.getAccessToken()).resolves.toEqual(expect.any(String));
    expect(auth.tokenCalls).toBe(1);
  });

  it('is never held while subscribers run, and a subscriber may call the client', async () => {
    const { a } = await twoTabsSignedIn();
    const heldDuring: boolean[] = [];
    const calls: Array<Promise<unknown>> = [];
    a.client.onAuthStateChange((change) => {
      heldDuring.push(locks.isHeld(LOCK));
      if (change.event === 'TOKEN_REFRESHED')
        calls.push(a.client.getAccessToken(), a.client.refreshSession(), a.client.listSessions());
    });
    await settle();
    now += 900_000;
    await a.client.getAccessToken();
    await Promise.all(calls);
    expect(heldDuring).toEqual([false, false]);
  });
});

describe('events in the other tabs', () => {
  it('a refresh in one tab is TOKEN_REFRESHED in the other, a logout SIGNED_OUT (user)', async () => {
    const { a, b, area } = await twoTabsSignedIn();
    now += 850_000;
    await a.client.refreshSession();
    await settle();
    await a.client.logout();
    await settle();
    expect(events(b.changes)).toEqual(['INITIAL_SESSION', 'TOKEN_REFRESHED', 'user']);
    expect(b.client.getSession()).toBeNull();
    expect(area.items.size).toBe(0);
  });

  it('a sign-out for a reason reaches the other tab with that reason', async () => {
    const { a, b } = await twoTabsSignedIn();
    auth.end(a.client.getSession()?.sessionId as string, 'user_disabled');
    now += 900_000;
    await a.client.getAccessToken().catch(() => {});
    await settle();
    expect(events(b.changes).at(-1)).toBe('disabled');
    expect(b.client.getSession()).toBeNull();
  });

  it('a logout while another tab’s refresh is on its way: the refresh never resurrects the session', async () => {
    const { a, b, area } = await twoTabsSignedIn();
    now += 850_000;
    auth.gateAfterRotation = true;
    auth.ignoreAbort = true;
    auth.closeGate();
    const refresh = b.client.refreshSession().catch((error: AuthpairClientError) => error.code);
    await settle();
    await a.client.logout();
    await settle();
    auth.openGate();
    expect(await refresh).toBe('signed_out');
    await settle();
    expect(b.client.getSession()).toBeNull();
    expect(a.client.getSession()).toBeNull();
    expect(area.items.size).toBe(0);
  });

  it('dispose() during a refresh: the rotated tokens are still saved and told to the twin tab', async () => {
    const { a, b, area } = await twoTabsSignedIn('copied');
    now += 850_000;
    auth.closeGate();
    const refresh = a.client.refreshSession();
    await settle();
    a.client.dispose();
    auth.openGate();
    const rotated = await refresh;
    await settle();
    expect(JSON.parse(area.items.get('authpair.session') ?? '{}').accessToken).toBe(
      rotated.accessToken,
    );
    expect(b.client.getSession()?.accessToken).toBe(rotated.accessToken);
    now += 900_000;
    await b.client.getAccessToken();
    expect(auth.reuses).toBe(0);
  });

  it('a message about a session that ended here is ignored', async () => {
    const { a, b } = await twoTabsSignedIn();
    const stale = JSON.parse([...sharedArea().items.values()][0] ?? 'null');
    const session = a.client.getSession();
    await a.client.logout();
    await settle();
    const rogue = bus.open('authpair:authpair.session');
    rogue.postMessage({
      type: 'session',
      session: {
        ...stale,
        v: 1,
        accessToken: session?.accessToken,
        expiresIn: 900,
        expiresAt: now + 1,
        refreshAt: now,
        version: now * 2,
        sessionId: session?.sessionId,
      },
    });
    await settle();
    expect(b.client.getSession()).toBeNull();
    expect(a.client.getSession()).toBeNull();
  });

  it('with localStorage a sign-in in one tab signs the others in; with sessionStorage it does not', async () => {
    const shared = sharedArea();
    const a = tab(shared.adapter());
    const b = tab(shared.adapter());
    const copied = tab(sharedArea('copied').adapter());
    await a.client.login({ username: 'alice', password: PASSWORD });
    await settle();
    expect(b.client.getSession()?.sessionId).toBe(a.client.getSession()?.sessionId);
    expect(events(b.changes)).toEqual(['INITIAL_SESSION', 'SIGNED_IN']);
    expect(copied.client.getSession()).toBeNull();
  });
});

describe('memory storage (the default): a session per tab', () => {
  it('tokens never go on the channel; a logout of all sessions signs out the user’s other tabs', async () => {
    const posted: unknown[] = [];
    const spy = bus.open('authpair:authpair.session');
    spy.addEventListener('message', (event) => posted.push(event.data));
    const a = tab(memoryStorage());
    const b = tab(memoryStorage());
    const other = tab(memoryStorage());
    await a.client.login({ username: 'alice', password: PASSWORD });
    await b.client.login({ username: 'alice', password: PASSWORD });
    await other.client.login({ username: 'carol', password: PASSWORD });
    now += 850_000;
    await a.client.refreshSession();
    await settle();
    expect(events(b.changes)).toEqual(['INITIAL_SESSION', 'SIGNED_IN']);
    await a.client.logout({ scope: 'all' });
    await settle();
    expect(events(b.changes)).toEqual(['INITIAL_SESSION', 'SIGNED_IN', 'user']);
    expect(other.client.getSession()).not.toBeNull();
    expect(JSON.stringify(posted)).not.toMatch(/aprt_|accessToken/);
    expect(posted).toEqual([
      expect.objectContaining({ type: 'signed_out', all: true, reason: 'user' }),
    ]);
  });

  it('ending another tab’s session from the sessions list signs that tab out at once', async () => {
    const a = tab(memoryStorage());
    const b = tab(memoryStorage());
    await a.client.login({ username: 'alice', password: PASSWORD });
    await b.client.login({ username: 'alice', password: PASSWORD });
    await a.client.endSession(b.client.getSession()?.sessionId as string);
    await settle();
    expect(b.client.getSession()).toBeNull();
    expect(events(b.changes).at(-1)).toBe('user');
    expect(a.client.getSession()).not.toBeNull();
  });
});

describe('the default channel (Node’s BroadcastChannel)', () => {
  it('carries a sign-in to the other tab', async () => {
    const area = sharedArea();
    const options = { crossTab: { locks } };
    const a = tab(area.adapter(), options);
    const b = tab(area.adapter(), options);
    await a.client.login({ username: 'alice', password: PASSWORD });
    for (let wait = 0; wait < 100 && b.client.getSession() === null; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(b.client.getSession()?.accessToken).toBe(a.client.getSession()?.accessToken);
  });
});

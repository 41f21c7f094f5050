import {
  type AuthChange,
  AuthpairClient,
  type AuthpairClientError,
  type AuthpairClientOptions,
} from '@authpair/client';
import { AUTH_URL, FakeAuth, optionsFor, PASSWORD, reported, sharedArea } from './fakes';

let auth: FakeAuth;

beforeEach(() => {
  auth = new FakeAuth();
});
afterEach(() => expect(reported.splice(0)).toEqual([]));

function client(overrides: Partial<AuthpairClientOptions> = {}) {
  const instance = new AuthpairClient(optionsFor(auth, overrides));
  const changes: AuthChange[] = [];
  instance.onAuthStateChange((change) => changes.push(change));
  return { client: instance, changes };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: AuthpairClientError) => error,
  );
const sessionOf = (instance: AuthpairClient) => instance.getSession()?.sessionId as string;

describe('register and login', () => {
  it('register creates the account without signing in', async () => {
    const { client: alice } = client();
    await expect(alice.register({ username: 'alice', password: PASSWORD })).resolves.toEqual({
      id: 'new-user',
      username: 'alice',
    });
    expect(alice.getSession()).toBeNull();
  });

  it('login announces SIGNED_IN once the session is stored', async () => {
    const area = sharedArea();
    const { client: alice } = client({ storage: area.adapter() });
    const storedWhenAnnounced: boolean[] = [];
    alice.onAuthStateChange(({ event }) => {
      if (event === 'SIGNED_IN') storedWhenAnnounced.push(area.items.size === 1);
    });
    const session = await alice.login({ username: 'alice', password: PASSWORD });
    expect(session).toMatchObject({
      user: { id: 'id-alice', username: 'alice' },
      tokenType: 'Bearer',
    });
    expect(session).not.toHaveProperty('refreshToken');
    expect(storedWhenAnnounced).toEqual([true]);
  });

  it('a wrong password is the server’s code, and no session', async () => {
    const { client: alice, changes } = client();
    const error = await failure(alice.login({ username: 'alice', password: 'wrong password' }));
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401, retryable: false });
    expect(alice.getSession()).toBeNull();
    expect(changes.map(({ event }) => event)).toEqual(['INITIAL_SESSION']);
  });

  it('a second login revokes the session it replaces', async () => {
    const { client: alice } = client();
    await alice.login({ username: 'alice', password: PASSWORD });
    const first = sessionOf(alice);
    await alice.login({ username: 'alice', password: PASSWORD });
    await new Promise((resolve) => setImmediate(resolve));
    expect(auth.sessions.get(first)?.ended).toBe('session_ended');
    expect(auth.sessions.get(sessionOf(alice))?.ended).toBeUndefined();
  });
});

describe('INITIAL_SESSION', () => {
  it('is the stored session, delivered to each subscriber first', async () => {
    const area = sharedArea();
    const { client: first } = client({ storage: area.adapter() });
    await first.login({ username: 'alice', password: PASSWORD });
    const { changes } = client({ storage: area.adapter() });
    await new Promise((resolve) => setImmediate(resolve));
    expect(changes).toEqual([
      {
        event: 'INITIAL_SESSION',
        session: expect.objectContaining({ sessionId: sessionOf(first) }),
      },
    ]);
  });

  it('is null when storage holds nothing usable', async () => {
    const area = sharedArea();
    area.items.set('authpair.session', '{"v":1,"accessToken":');
    const { client: alice, changes } = client({ storage: area.adapter() });
    await alice.ready;
    await new Promise((resolve) => setImmediate(resolve));
    expect(changes).toEqual([{ event: 'INITIAL_SESSION', session: null }]);
  });
});

describe('logout', () => {
  it('ends this session at the server and signs out with reason user', async () => {
    const { client: alice, changes } = client();
    await alice.login({ username: 'alice', password: PASSWORD });
    const sid = sessionOf(alice);
    await alice.logout();
    expect(auth.sessions.get(sid)?.ended).toBe('session_ended');
    expect(changes.at(-1)).toEqual({ event: 'SIGNED_OUT', session: null, reason: 'user' });
  });

  it('with scope all ends every session of the user', async () => {
    const { client: laptop } = client();
    const { client: phone } = client();
    await laptop.login({ username: 'alice', password: PASSWORD });
    await phone.login({ username: 'alice', password: PASSWORD });
    await laptop.logout({ scope: 'all' });
    expect(auth.sessions.get(sessionOf(phone))?.ended).toBe('session_ended');
    expect(laptop.getSession()).toBeNull();
  });

  it('of this session, with auth unreachable: forgotten here, and the caller is told', async () => {
    const { client: alice } = client();
    await alice.login({ username: 'alice', password: PASSWORD });
    auth.mode = 'network_error';
    expect(await failure(alice.logout())).toMatchObject({ code: 'network' });
    expect(alice.getSession()).toBeNull();
  });

  it('of all sessions, with auth unreachable: kept, so that it can be tried again', async () => {
    const { client: alice } = client();
    await alice.login({ username: 'alice', password: PASSWORD });
    auth.mode = 'network_error';
    expect(await failure(alice.logout({ scope: 'all' }))).toMatchObject({ code: 'network' });
    expect(alice.getSession()).not.toBeNull();
  });

  it('with an expired access token, refreshes first to have one to log out with', async () => {
    let now = 0;
    const { client: alice } = client({ clock: () => now });
    await alice.login({ username: 'alice', password: PASSWORD });
    const sid = sessionOf(alice);
    now += 900_000;
    await alice.logout();
    expect(auth.tokenCalls).toBe(1);
    expect(auth.sessions.get(sid)?.ended).toBe('session_ended');
  });
});

describe('revoke, sessions and the password', () => {
  it('revoking its own refresh token signs out; revoking another token does not', async () => {
    const { client: alice } = client();
    const other = auth.issue('alice');
    await alice.login({ username: 'alice', password: PASSWORD });
    await alice.revoke(other.body.refresh_token as string);
    expect(auth.sessions.get(other.sid)?.ended).toBe('session_ended');
    expect(alice.getSession()).not.toBeNull();
    await alice.revoke();
    expect(alice.getSession()).toBeNull();
  });

  it('listSessions returns the server’s list', async () => {
    const { client: alice } = client();
    await alice.login({ username: 'alice', password: PASSWORD });
    await expect(alice.listSessions()).resolves.toEqual([{ id: sessionOf(alice), current: true }]);
  });

  it('ending this session signs out; ending another does not', async () => {
    const { client: alice } = client();
    const other = auth.issue('alice');
    await alice.login({ username: 'alice', password: PASSWORD });
    await alice.endSession(other.sid);
    expect(alice.getSession()).not.toBeNull();
    await alice.endSession(sessionOf(alice));
    expect(alice.getSession()).toBeNull();
  });

  it('changePassword reports the sessions it ended and announces USER_UPDATED', async () => {
    const { client: alice, changes } = client();
    await alice.login({ username: 'alice', password: PASSWORD });
    await expect(
      alice.changePassword({ currentPassword: PASSWORD, newPassword: 'another good passphrase' }),
    ).resolves.toEqual({ sessions_ended: 2 });
    expect(changes.at(-1)).toMatchObject({
      event: 'USER_UPDATED',
      session: { sessionId: sessionOf(alice) },
    });
  });
});

describe('a refresh token held in a cookie (a backend-for-frontend)', () => {
  it('is never stored; a refresh sends none and includes credentials', async () => {
    const seen: Array<{ body: string; credentials: string | undefined }> = [];
    const bff = (async (_input: string | URL | Request, init?: RequestInit) => {
      seen.push({ body: String(init?.body ?? ''), credentials: init?.credentials });
      const tokens = { access_token: 'a.e30.s', token_type: 'Bearer', expires_in: 60 };
      return new Response(JSON.stringify(tokens), {
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    const area = sharedArea();
    const { client: alice } = client({
      fetch: bff,
      credentials: 'include',
      storage: area.adapter(),
    });
    await alice.login({ username: 'alice', password: PASSWORD });
    await alice.refreshSession();
    expect(JSON.stringify([...area.items.values()])).not.toMatch(/refreshToken/);
    expect(seen.map(({ credentials }) => credentials)).toEqual(['include', 'include']);
    expect(seen[1]?.body).toBe('grant_type=refresh_token');
  });
});

describe('storage', () => {
  it('is memory by default: web storage is never touched', async () => {
    let touched = 0;
    const trap = {
      get: () => {
        touched += 1;
        return undefined;
      },
      configurable: true,
    };
    Object.defineProperty(globalThis, 'localStorage', trap);
    Object.defineProperty(globalThis, 'sessionStorage', trap);
    try {
      const { client: alice } = client();
      await alice.login({ username: 'alice', password: PASSWORD });
      await alice.getAccessToken();
      expect(touched).toBe(0);
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
      delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    }
  });

  it('that cannot be read is no session: the client still works, and the error is reported', async () => {
    const blocked = new Error('SecurityError: access to storage is denied');
    const { client: alice, changes } = client({
      storage: {
        getItem: () => {
          throw blocked;
        },
        setItem: () => {},
        removeItem: () => {},
        scope: 'shared',
      },
    });
    await alice.ready;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.splice(0)).toEqual([blocked]);
    expect(changes).toEqual([{ event: 'INITIAL_SESSION', session: null }]);
  });

  it('dispose() keeps the stored session and refuses further calls', async () => {
    const area = sharedArea();
    const { client: alice } = client({ storage: area.adapter() });
    await alice.login({ username: 'alice', password: PASSWORD });
    alice.dispose();
    expect(area.items.size).toBe(1);
    expect(await failure(alice.getAccessToken())).toMatchObject({ code: 'disposed' });
  });

  it('talks to the auth URL it was given, trailing slash or not', async () => {
    const seen: string[] = [];
    const { client: alice } = client({
      authUrl: `${AUTH_URL}/`,
      fetch: ((input: string | URL | Request, init?: RequestInit) => {
        seen.push(String(input));
        return auth.fetch(input, init);
      }) as typeof fetch,
    });
    await alice.login({ username: 'alice', password: PASSWORD });
    expect(seen).toEqual([`${AUTH_URL}/login`]);
  });
});

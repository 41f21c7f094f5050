import { type AuthChange, AuthpairClient, isClientError } from '@authpair/client';

/**
 * Cookie mode: a backend-for-frontend keeps the refresh token in an
 * HttpOnly cookie, so the page's client never has one. `restore()` asks
 * for the session that cookie carries, after a reload or in a new tab.
 */
const BFF = 'https://app.test/auth';

function accessToken(sid: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'at+jwt' })}.${part({ sub: 'u1', username: 'alice', sid })}.sig`;
}

/** A backend with a live session in its cookie, none, or unreachable; records what the page sent. */
function backend(answer: 'session' | 'no_cookie' | 'down') {
  const bodies: string[] = [];
  const credentials: Array<RequestInit['credentials']> = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    bodies.push(await request.text());
    credentials.push(init?.credentials);
    if (answer === 'down') throw new TypeError('fetch failed');
    if (answer === 'no_cookie')
      return Response.json(
        { error: 'invalid_grant', code: 'invalid_grant', reason: 'invalid' },
        { status: 400 },
      );
    return Response.json({
      access_token: accessToken('s1'),
      token_type: 'Bearer',
      expires_in: 900,
    });
  }) as typeof globalThis.fetch;
  return { fetch, bodies, credentials };
}

function client(fetch: typeof globalThis.fetch) {
  const instance = new AuthpairClient({
    authUrl: BFF,
    fetch,
    credentials: 'same-origin',
    crossTab: false,
    autoRefresh: false,
  });
  const changes: AuthChange[] = [];
  instance.onAuthStateChange((change) => changes.push(change));
  return { instance, changes };
}

describe('restore() (cookie mode)', () => {
  it('takes up the session the cookie carries: a refresh that sends no refresh token, then SIGNED_IN', async () => {
    const server = backend('session');
    const { instance, changes } = client(server.fetch);
    const session = await instance.restore();
    expect(session).toMatchObject({ sessionId: 's1', user: { id: 'u1', username: 'alice' } });
    expect(server.bodies).toEqual(['grant_type=refresh_token']);
    expect(server.credentials).toEqual(['same-origin']);
    expect(changes.map((change) => change.event)).toEqual(['INITIAL_SESSION', 'SIGNED_IN']);
    // Later refreshes send no refresh token either: there is none in the page to send.
    await instance.refreshSession();
    expect(server.bodies).toEqual(['grant_type=refresh_token', 'grant_type=refresh_token']);
  });

  it('is null, with no event, when the backend has no live session (invalid_grant)', async () => {
    const { instance, changes } = client(backend('no_cookie').fetch);
    expect(await instance.restore()).toBeNull();
    expect(instance.getSession()).toBeNull();
    expect(changes.map((change) => change.event)).toEqual(['INITIAL_SESSION']);
  });

  it('hands back the session already held, without a call', async () => {
    const server = backend('session');
    const { instance } = client(server.fetch);
    await instance.restore();
    expect(await instance.restore()).toMatchObject({ sessionId: 's1' });
    expect(server.bodies).toHaveLength(1);
  });

  it('throws a retryable error when the backend cannot be reached', async () => {
    const { instance } = client(backend('down').fetch);
    const error = await instance.restore().catch((caught: unknown) => caught);
    expect(isClientError(error) && error.code === 'network' && error.retryable).toBe(true);
  });
});

import { Readable } from 'node:stream';
import { AuthpairClient, type AuthpairClientError } from '@authpair/client';
import { API_URL, FakeAuth, optionsFor, PASSWORD, reported, settle } from './fakes';

let auth: FakeAuth;
let client: AuthpairClient;

beforeEach(async () => {
  auth = new FakeAuth();
  client = new AuthpairClient(optionsFor(auth));
  await client.login({ username: 'alice', password: PASSWORD });
});
afterEach(() => expect(reported.splice(0)).toEqual([]));

const bearerOf = (token: string | undefined) => `Bearer ${token}`;

describe('fetch for a resource server', () => {
  it('sends the current access token and keeps the caller’s headers', async () => {
    const response = await client.fetch(`${API_URL}/protected`, {
      headers: { 'x-request-id': 'r1' },
    });
    expect(response.status).toBe(200);
    expect(auth.resourceRequests).toEqual([
      { authorization: bearerOf(client.getSession()?.accessToken), body: '' },
    ]);
    expect(auth.resourceHeaders[0]?.get('x-request-id')).toBe('r1');
  });

  it('after a 401, refreshes once and replays once with the new token', async () => {
    const stale = client.getSession()?.accessToken as string;
    auth.refusedByResource.add(stale);
    const response = await client.fetch(`${API_URL}/protected`, { method: 'POST', body: 'x=1' });
    expect(response.status).toBe(200);
    expect(auth.tokenCalls).toBe(1);
    expect(auth.resourceRequests).toEqual([
      { authorization: bearerOf(stale), body: 'x=1' },
      { authorization: bearerOf(client.getSession()?.accessToken), body: 'x=1' },
    ]);
  });

  it('after a 401, replays with a newer token another call already got, without refreshing', async () => {
    const stale = client.getSession()?.accessToken as string;
    auth.refusedByResource.add(stale);
    auth.closeGate('resource');
    const call = client.fetch(`${API_URL}/protected`); // sent with the stale token; its 401 waits
    await settle();
    const fresh = (await client.refreshSession()).accessToken;
    auth.openGate('resource');
    expect((await call).status).toBe(200);
    expect(auth.tokenCalls).toBe(1);
    expect(auth.resourceRequests.map((seen) => seen.authorization)).toEqual([
      bearerOf(stale),
      bearerOf(fresh),
    ]);
  });

  it('50 calls refused with one token cause one refresh, and each is replayed once', async () => {
    auth.refusedByResource.add(client.getSession()?.accessToken as string);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => client.fetch(`${API_URL}/protected`)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(auth.tokenCalls).toBe(1);
    expect(auth.resourceCalls).toBe(100);
  });

  it('a second 401 is an error, not a loop', async () => {
    auth.refusedByResource.add(client.getSession()?.accessToken as string);
    const original = auth.fetch;
    // Whatever token it gets, this resource refuses it.
    const refusing = new FakeAuth();
    const alwaysRefused = new AuthpairClient(
      optionsFor(auth, {
        fetch: ((input: string | URL | Request, init?: RequestInit) =>
          String(input instanceof Request ? input.url : input).startsWith(API_URL)
            ? refusing.fetch(input, init)
            : original(input, init)) as typeof fetch,
      }),
    );
    await alwaysRefused.login({ username: 'bob', password: PASSWORD });
    const error = await alwaysRefused
      .fetch(`${API_URL}/protected`)
      .catch((caught: AuthpairClientError) => caught);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect((error as AuthpairClientError).response?.status).toBe(401);
    expect(refusing.resourceCalls).toBe(2);
    expect(auth.tokenCalls).toBe(1);
  });

  it('does not replay a stream body: the 401 is an error, the refresh still happens for the next call', async () => {
    auth.refusedByResource.add(client.getSession()?.accessToken as string);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const error = await client
      .fetch(`${API_URL}/upload`, { method: 'POST', body, duplex: 'half' } as RequestInit)
      .catch((caught: AuthpairClientError) => caught);
    expect(error).toMatchObject({ code: 'unauthorized' });
    expect(auth.resourceCalls).toBe(1);
    await settle();
    expect(auth.tokenCalls).toBe(1);
    expect((await client.fetch(`${API_URL}/protected`)).status).toBe(200);
  });

  it('does not replay a body that is an async iterable (a Node stream, a generator): the 401 is an error', async () => {
    const iterables = {
      generator: () =>
        (async function* () {
          yield new TextEncoder().encode('streamed');
        })(),
      'node:stream Readable': () => Readable.from([Buffer.from('streamed')]),
    };
    for (const [kind, bodyOf] of Object.entries(iterables)) {
      auth.refusedByResource.add(client.getSession()?.accessToken as string);
      const calls = auth.resourceCalls;
      const error = await client
        .fetch(`${API_URL}/upload`, { method: 'PUT', body: bodyOf(), duplex: 'half' } as never)
        .catch((caught: AuthpairClientError) => caught);
      expect([kind, (error as AuthpairClientError).code]).toEqual([kind, 'unauthorized']);
      // A replay would have sent it again with nothing left to read: an empty upload.
      expect(auth.resourceRequests.slice(calls).map((seen) => seen.body)).toEqual(['streamed']);
      await settle();
    }
  });

  it('replays a Request object with its body', async () => {
    auth.refusedByResource.add(client.getSession()?.accessToken as string);
    const request = new Request(`${API_URL}/protected`, { method: 'PUT', body: 'payload' });
    expect((await client.fetch(request)).status).toBe(200);
    expect(auth.resourceRequests.map((seen) => seen.body)).toEqual(['payload', 'payload']);
  });

  it('a session ended at the server: the forced refresh signs out and the call says why', async () => {
    auth.end(client.getSession()?.sessionId as string, 'reuse_detected');
    const error = await client
      .fetch(`${API_URL}/protected`)
      .catch((caught: AuthpairClientError) => caught);
    expect(error).toMatchObject({ code: 'signed_out', reason: 'reuse_detected' });
    expect(auth.resourceCalls).toBe(1);
  });
});

describe('the client’s own calls to auth', () => {
  it('are never intercepted: a 401 from /sessions is thrown as is, with no refresh', async () => {
    auth.end(client.getSession()?.sessionId as string, 'session_ended');
    const error = await client.listSessions().catch((caught: AuthpairClientError) => caught);
    expect(error).toMatchObject({ code: 'invalid_token', status: 401 });
    expect(auth.tokenCalls).toBe(0);
  });
});

import {
  type AuthChange,
  AuthpairClient,
  type AuthpairClientError,
  memoryStorage,
} from '@authpair/client';
import { eventually, GOOD_PASSWORD, refresh, request, uniqueUsername } from '../support/http';
import { type ControllableProxy, startProxy } from '../support/proxy';
import { useServices } from '../support/services';
import { metricValue } from '../support/sessions';

/**
 * @authpair/client in Node against the real pair. The grace window is 0:
 * a refresh token presented twice ends the session at once, so none of
 * these passes because the server forgave a double spend.
 */
const services = useServices({
  auth: { ACCESS_TOKEN_TTL: '30', REFRESH_REUSE_GRACE_SECONDS: '0' },
  resource: {},
});

jest.setTimeout(90_000);

const OUTCOMES = ['rotated', 'retried', 'reused', 'expired', 'revoked', 'invalid', 'invalid_scope'];

/** Refresh-token grants counted by an auth service, by outcome. */
async function grants(authUrl: string): Promise<Record<string, number>> {
  const exposition = (await request(`${authUrl}/metrics`)).text;
  return Object.fromEntries(
    OUTCOMES.map((outcome) => [
      outcome,
      metricValue(exposition, 'refresh_token_grants_total', `outcome="${outcome}"`),
    ]),
  );
}

function grown(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(
    OUTCOMES.map((outcome) => [outcome, (after[outcome] ?? 0) - (before[outcome] ?? 0)]),
  );
}

const NONE = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0]));

const clients: AuthpairClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
});

async function signedIn(options: Partial<ConstructorParameters<typeof AuthpairClient>[0]> = {}) {
  const client = new AuthpairClient({ authUrl: services.auth.url, autoRefresh: false, ...options });
  clients.push(client);
  const changes: AuthChange[] = [];
  client.onAuthStateChange((change) => changes.push(change));
  const credentials = { username: uniqueUsername('client'), password: GOOD_PASSWORD };
  await client.register(credentials);
  await client.login(credentials);
  return { client, changes };
}

const protectedUrl = () => `${services.resource.url}/protected`;

describe('@authpair/client against the pair', () => {
  it('50 concurrent fetch calls across the refresh point cause exactly one refresh', async () => {
    const { client } = await signedIn();
    const first = client.getSession();
    if (first === null) throw new Error('not signed in');
    // ACCESS_TOKEN_TTL 30 s: the client replaces the token 7.5 s before expiry, 22.5 s after login.
    await eventually(
      () => Date.now(),
      (now) => now >= first.refreshAt - 1_000,
      { timeoutMs: 40_000, intervalMs: 100, what: 'one second before the refresh point' },
    );
    const before = await grants(services.auth.url);
    const calls: Array<Promise<number>> = [];
    // 50 calls, 40 ms apart: the first half before the refresh point, the rest after it.
    for (let index = 0; index < 50; index += 1) {
      calls.push(client.fetch(protectedUrl()).then((response) => response.status));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const statuses = await Promise.all(calls);
    expect(statuses).toEqual(Array(50).fill(200));
    expect(Date.now()).toBeGreaterThan(first.refreshAt);
    const after = await grants(services.auth.url);
    expect(grown(before, after)).toEqual({ ...NONE, rotated: 1 });
    expect(client.getSession()?.accessToken).not.toBe(first.accessToken);
    expect(client.getSession()?.sessionId).toBe(first.sessionId);
  });

  describe('with the auth service unreachable for 30 s', () => {
    let proxy: ControllableProxy;
    let authUrl: string;

    beforeAll(async () => {
      // A replica with 3-minute tokens, so one outlives the outage; the proxy fronts it.
      const replica = await services.startAuth({
        ACCESS_TOKEN_TTL: '180',
        REFRESH_REUSE_GRACE_SECONDS: '0',
      });
      authUrl = replica.url;
      proxy = await startProxy(replica.url);
    });
    afterAll(() => proxy?.close());

    it('keeps the session while the access token is valid, then recovers', async () => {
      // The client's clock is its own: moved to the refresh point, the token is due at once
      // (45 s before it expires) while the server still honours it, with no 2-minute wait.
      let offset = 0;
      const { client, changes } = await signedIn({
        authUrl: proxy.url,
        autoRefresh: true,
        clock: () => Date.now() + offset,
        retry: { maxMs: 5_000 },
      });
      const first = client.getSession();
      if (first === null) throw new Error('not signed in');
      const before = await grants(authUrl);
      proxy.down();
      offset = first.refreshAt - Date.now();
      const outageStart = Date.now();
      const statuses: number[] = [];
      await eventually(
        async () => {
          statuses.push((await client.fetch(protectedUrl())).status);
          return Date.now() - outageStart;
        },
        (elapsed) => elapsed >= 30_000,
        { timeoutMs: 45_000, intervalMs: 1_000, what: 'the 30 s outage to pass' },
      );
      const attempts = proxy.seen.filter((seen) => seen.path === '/token').length;
      expect(statuses.length).toBeGreaterThanOrEqual(25);
      expect(statuses).toEqual(statuses.map(() => 200));
      // Retried with a capped backoff: several attempts, far fewer than the calls.
      expect(attempts).toBeGreaterThanOrEqual(4);
      expect(attempts).toBeLessThan(statuses.length);
      expect(client.getSession()?.accessToken).toBe(first.accessToken);
      expect(changes.map((change) => change.event)).toEqual(['INITIAL_SESSION', 'SIGNED_IN']);

      proxy.up();
      await eventually(
        () => changes.map((change) => change.event),
        (events) => events.includes('TOKEN_REFRESHED'),
        { timeoutMs: 15_000, what: 'the refresh after the outage' },
      );
      expect((await client.fetch(protectedUrl())).status).toBe(200);
      expect(client.getSession()?.accessToken).not.toBe(first.accessToken);
      expect(grown(before, await grants(authUrl))).toEqual({ ...NONE, rotated: 1 });
    });
  });

  it('a stolen, spent refresh token presented by someone else ends the session: SIGNED_OUT reuse_detected', async () => {
    const storage = memoryStorage();
    const { client, changes } = await signedIn({ storage });
    // What an injected script would take from web storage.
    const stolen = JSON.parse(String(await storage.getItem('authpair.session'))).refreshToken;
    await client.refreshSession(); // the client moves on; the stolen token is spent
    const attacker = await refresh(services.auth.url, stolen);
    expect(attacker.body).toMatchObject({ error: 'invalid_grant', reason: 'reuse_detected' });

    // The resource service hears of the ended session within about a second; the
    // client's next call then meets a 401, refreshes once, and learns why.
    const outcome = await eventually(
      () =>
        client.fetch(protectedUrl()).then(
          (response) => String(response.status),
          (error: AuthpairClientError) => error.code,
        ),
      (code) => code !== '200',
      { what: 'the client to find its session ended' },
    );
    expect(outcome).toBe('signed_out');
    expect(changes.at(-1)).toEqual({
      event: 'SIGNED_OUT',
      session: null,
      reason: 'reuse_detected',
    });
    expect(client.getSession()).toBeNull();
    expect(await storage.getItem('authpair.session')).toBeNull();
  });

  it('lists and ends sessions, and logs out, through the real endpoints', async () => {
    const credentials = { username: uniqueUsername('client'), password: GOOD_PASSWORD };
    const laptop = new AuthpairClient({ authUrl: services.auth.url, autoRefresh: false });
    const phone = new AuthpairClient({ authUrl: services.auth.url, autoRefresh: false });
    clients.push(laptop, phone);
    const phoneChanges: AuthChange[] = [];
    phone.onAuthStateChange((change) => phoneChanges.push(change));
    await laptop.register(credentials);
    await laptop.login(credentials);
    await phone.login(credentials);
    const sessions = await laptop.listSessions();
    expect(sessions).toHaveLength(2);
    expect(sessions.find((session) => session.current)?.id).toBe(laptop.getSession()?.sessionId);
    expect(sessions.find((session) => !session.current)?.id).toBe(phone.getSession()?.sessionId);

    await laptop.endSession(phone.getSession()?.sessionId as string);
    await expect(phone.refreshSession()).rejects.toMatchObject({
      code: 'signed_out',
      reason: 'revoked',
    });
    expect(phoneChanges.at(-1)).toEqual({ event: 'SIGNED_OUT', session: null, reason: 'revoked' });

    const token = laptop.getSession()?.accessToken;
    await laptop.logout();
    expect(laptop.getSession()).toBeNull();
    const afterLogout = await request(`${services.auth.url}/sessions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(afterLogout.status).toBe(401);
  });
});

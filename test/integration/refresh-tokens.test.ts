import type { RunningAuthService } from '@authpair/auth';
import {
  bearer,
  claimsOf,
  eventually,
  postForm,
  type ReadResponse,
  refresh,
  registerAndLogin,
  request,
} from '../support/http';
import { useServices } from '../support/services';
import { liveTokenIds, metricValue, sessionRow, tokenHash, tokenRow } from '../support/sessions';

const services = useServices({ auth: false });
/** Default settings: a grace window of 5 s. */
let auth: RunningAuthService;
/** No grace window: any second presentation is reuse. */
let strict: RunningAuthService;

beforeAll(async () => {
  auth = await services.startAuth();
  strict = await services.startAuth({ REFRESH_REUSE_GRACE_SECONDS: '0' });
});

function expectInvalidGrant(response: ReadResponse, description?: RegExp) {
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ error: 'invalid_grant', code: 'invalid_grant' });
  if (description !== undefined) expect(response.body.error_description).toMatch(description);
}

const sessions = (service: RunningAuthService, token: string) =>
  request(`${service.url}/sessions`, { headers: bearer(token) });

describe('rotation', () => {
  it('rotates through a chain of 5: each token works once, all in one session', async () => {
    const { refreshToken, token } = await registerAndLogin(auth.url);
    const sid = claimsOf(token).sid;
    const chain = [refreshToken];
    for (let step = 0; step < 5; step += 1) {
      const response = await refresh(auth.url, chain.at(-1) as string);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^aprt_/),
        scope: 'profile',
      });
      expect(claimsOf(response.body.access_token).sid).toBe(sid);
      chain.push(response.body.refresh_token);
    }
    expect(new Set(chain).size).toBe(6);
    const rows = await Promise.all(chain.map((item) => tokenRow(auth.pool, item)));
    rows.slice(0, 5).forEach((row, index) => {
      expect(row.used_at).not.toBeNull();
      expect(row.replaced_by).toBe(rows[index + 1]?.id);
      expect(rows[index + 1]?.parent_id).toBe(row.id);
    });
    expect(await liveTokenIds(auth.pool, sid as string)).toEqual([rows[5]?.id]);
  });

  it('accepts the grant as JSON too, and ignores unknown parameters (RFC 6749 §3.2)', async () => {
    const { refreshToken } = await registerAndLogin(auth.url);
    const response = await request(`${auth.url}/token`, {
      body: { grant_type: 'refresh_token', refresh_token: refreshToken, device: 'phone' },
    });
    expect(response.status).toBe(200);
    const form = await postForm(`${auth.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: response.body.refresh_token,
      client_id: 'authpair',
      audience: 'ignored',
    });
    expect(form.status).toBe(200);
  });

  it('answers 10 parallel presentations of one token (grace window on) with one and the same refresh token, which then refreshes', async () => {
    const { refreshToken, token } = await registerAndLogin(auth.url);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => refresh(auth.url, refreshToken)),
    );
    // Serialised on the family lock: the first rotates, the nine others are retries of it.
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const issued = new Set(responses.map((response) => response.body.refresh_token as string));
    expect(issued.size).toBe(1);
    const [child] = [...issued] as [string];
    const live = await liveTokenIds(auth.pool, claimsOf(token).sid as string);
    expect(live).toEqual([(await tokenRow(auth.pool, child)).id]);
    expect((await refresh(auth.url, child)).status).toBe(200);
  });

  it('never lets 10 parallel refreshes with one token leave two live tokens (no grace window)', async () => {
    const { refreshToken, token } = await registerAndLogin(strict.url);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => refresh(strict.url, refreshToken)),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(400)]);
    // The nine are reuse: the family, the one new child included, is revoked.
    const sid = claimsOf(token).sid as string;
    expect(await liveTokenIds(strict.pool, sid)).toEqual([]);
    expect((await sessionRow(strict.pool, sid)).revoked_reason).toBe('refresh_token_reuse');
  });
});

describe('reuse detection (RFC 9700 §4.14.2)', () => {
  it('revokes the whole family when a spent token comes back: the live child stops too', async () => {
    const { refreshToken, token } = await registerAndLogin(strict.url);
    const child = (await refresh(strict.url, refreshToken)).body;
    expectInvalidGrant(await refresh(strict.url, refreshToken), /already used/);
    expectInvalidGrant(await refresh(strict.url, child.refresh_token), /session .* has ended/);
    const sid = claimsOf(token).sid as string;
    expect(await sessionRow(strict.pool, sid)).toMatchObject({
      revoked_at: expect.any(Date),
      revoked_reason: 'refresh_token_reuse',
    });
    // The session's access tokens are refused at once by the auth service itself.
    expect((await sessions(strict, child.access_token)).status).toBe(401);
  });

  it('counts outcomes and ended sessions in /metrics', async () => {
    const { refreshToken } = await registerAndLogin(strict.url);
    await refresh(strict.url, refreshToken);
    await refresh(strict.url, refreshToken);
    const text = (await request(`${strict.url}/metrics`)).text;
    expect(metricValue(text, 'refresh_token_grants_total', 'outcome="rotated"')).toBeGreaterThan(0);
    expect(metricValue(text, 'refresh_token_grants_total', 'outcome="reused"')).toBeGreaterThan(0);
    expect(
      metricValue(text, 'sessions_ended_total', 'reason="refresh_token_reuse"'),
    ).toBeGreaterThan(0);
    expect(metricValue(text, 'sessions_started_total')).toBeGreaterThan(0);
  });
});

describe('the grace window (REFRESH_REUSE_GRACE_SECONDS)', () => {
  it('answers a retry with the spent token, while its child is unused, with that same child', async () => {
    const { refreshToken, token } = await registerAndLogin(auth.url);
    const lost = (await refresh(auth.url, refreshToken)).body;
    const retry = await refresh(auth.url, refreshToken);
    expect(retry.status).toBe(200);
    // GoTrue's rule: the client that lost the response gets the active token, not a new one.
    expect(retry.body.refresh_token).toBe(lost.refresh_token);
    expect(retry.body.access_token).not.toBe(lost.access_token);
    expect(claimsOf(retry.body.access_token).sid).toBe(claimsOf(token).sid);
    expect(await liveTokenIds(auth.pool, claimsOf(token).sid as string)).toEqual([
      (await tokenRow(auth.pool, lost.refresh_token)).id,
    ]);
    expect((await refresh(auth.url, retry.body.refresh_token)).status).toBe(200);
  });

  it('leaves two browser tabs that race with one token holding the same one, and either goes on', async () => {
    const { refreshToken } = await registerAndLogin(auth.url);
    const [first, second] = await Promise.all([
      refresh(auth.url, refreshToken),
      refresh(auth.url, refreshToken),
    ]);
    expect([first?.status, second?.status]).toEqual([200, 200]);
    expect(first?.body.refresh_token).toBe(second?.body.refresh_token);
    // They race again with the token they now share: the same grandchild for both.
    const shared = first?.body.refresh_token as string;
    const [third, fourth] = await Promise.all([
      refresh(auth.url, shared),
      refresh(auth.url, shared),
    ]);
    expect([third?.status, fourth?.status]).toEqual([200, 200]);
    expect(third?.body.refresh_token).toBe(fourth?.body.refresh_token);
    expect((await refresh(auth.url, third?.body.refresh_token)).status).toBe(200);
  });

  it('ends the session when the spent token comes back after its child was used, even within the window', async () => {
    const { refreshToken, token } = await registerAndLogin(auth.url);
    const child = (await refresh(auth.url, refreshToken)).body;
    const grandchild = (await refresh(auth.url, child.refresh_token)).body;
    expectInvalidGrant(await refresh(auth.url, refreshToken), /already used/);
    expectInvalidGrant(await refresh(auth.url, grandchild.refresh_token));
    const sid = claimsOf(token).sid as string;
    expect((await sessionRow(auth.pool, sid)).revoked_reason).toBe('refresh_token_reuse');
    expect((await sessions(auth, grandchild.access_token)).status).toBe(401);
  });

  it('treats the spent token as reuse once the window has passed', async () => {
    const short = await services.startAuth({ REFRESH_REUSE_GRACE_SECONDS: '1' });
    try {
      const { refreshToken } = await registerAndLogin(short.url);
      expect((await refresh(short.url, refreshToken)).status).toBe(200);
      await eventually(
        () =>
          short.pool.query(
            `SELECT now() > used_at + interval '1 second' AS passed
               FROM refresh_tokens WHERE token_hash = $1`,
            [tokenHash(refreshToken)],
          ),
        ({ rows }) => rows[0].passed === true,
      );
      expectInvalidGrant(await refresh(short.url, refreshToken), /already used/);
    } finally {
      await short.stop(1000);
    }
  });
});

describe('expiry', () => {
  it('ends a session after REFRESH_TOKEN_TTL without a refresh, and caps its access tokens by it', async () => {
    const idle = await services.startAuth({ REFRESH_TOKEN_TTL: '1' });
    try {
      const { refreshToken, login } = await registerAndLogin(idle.url);
      expect(login.expires_in).toBeLessThanOrEqual(1);
      await eventually(
        () => tokenRow(idle.pool, refreshToken),
        (row) => row.expired,
      );
      expectInvalidGrant(await refresh(idle.url, refreshToken), /expired/);
    } finally {
      await idle.stop(1000);
    }
  });

  it('ends a session SESSION_MAX_AGE after login however active it is', async () => {
    const bounded = await services.startAuth({ SESSION_MAX_AGE: '2' });
    try {
      const { refreshToken, token } = await registerAndLogin(bounded.url);
      const sid = claimsOf(token).sid as string;
      let current = refreshToken;
      let last: ReadResponse | undefined;
      // Keep it busy: every refresh succeeds until the absolute end, then none does.
      await eventually(
        async () => {
          last = await refresh(bounded.url, current);
          if (last.status === 200) {
            expect(last.body.expires_in).toBeLessThanOrEqual(2);
            current = last.body.refresh_token;
          }
          return last;
        },
        (response) => response.status !== 200,
        { intervalMs: 200 },
      );
      expectInvalidGrant(last as ReadResponse, /expired/);
      expect((await sessionRow(bounded.pool, sid)).expired).toBe(true);
    } finally {
      await bounded.stop(1000);
    }
  });
});

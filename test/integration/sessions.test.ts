import { COMMON_PASSWORD_REASON } from '@authpair/contracts';
import {
  bearer,
  claimsOf,
  GOOD_PASSWORD,
  postForm,
  refresh,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { useServices } from '../support/services';
import { metricValue, sessionRow } from '../support/sessions';

const context = useServices();

const login = (username: string, password = GOOD_PASSWORD, userAgent = 'jest') =>
  request(`${context.auth.url}/login`, {
    body: { username, password },
    headers: { 'user-agent': userAgent },
  }).then((response) => response.body as { access_token: string; refresh_token: string });

const call = (method: string, path: string, token: string, body?: unknown) =>
  request(`${context.auth.url}${path}`, { method, headers: bearer(token), body });

const listSessions = (token: string) => call('GET', '/sessions', token);

/** One user with three sessions (three logins). */
async function userWithThreeSessions() {
  const username = uniqueUsername();
  const first = await registerAndLogin(context.auth.url, username);
  const others = [await login(username, GOOD_PASSWORD, 'phone'), await login(username)];
  return {
    username,
    sessions: [{ access_token: first.token, refresh_token: first.refreshToken }, ...others],
  };
}

describe('GET /sessions', () => {
  it("lists the caller's live sessions, newest use first, marking the current one", async () => {
    const { sessions } = await userWithThreeSessions();
    const [, phone, current] = sessions;
    const response = await listSessions(current?.access_token as string);
    expect(response.status).toBe(200);
    expect(response.body.sessions).toHaveLength(3);
    expect(response.body.sessions[0]).toEqual({
      id: claimsOf(current?.access_token as string).sid,
      created_at: expect.any(String),
      last_used_at: expect.any(String),
      expires_at: expect.any(String),
      idle_expires_at: expect.any(String),
      client_address: expect.stringMatching(/127\.0\.0\.1/),
      user_agent: 'jest',
      current: true,
    });
    const phoneView = response.body.sessions.find(
      (view: { id: string }) => view.id === claimsOf(phone?.access_token as string).sid,
    );
    expect(phoneView).toMatchObject({ user_agent: 'phone', current: false });
  });

  it('refuses a refresh token sent as an access token', async () => {
    const { refreshToken } = await registerAndLogin(context.auth.url);
    const response = await listSessions(refreshToken);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('answers 401 with a challenge without a token, and never lists other users’ sessions', async () => {
    const anonymous = await request(`${context.auth.url}/sessions`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="authpair"');
    const { token } = await registerAndLogin(context.auth.url);
    await userWithThreeSessions();
    expect((await listSessions(token)).body.sessions).toHaveLength(1);
  });
});

describe('POST /logout', () => {
  it('ends the session of the token: 204, then its access and refresh tokens stop working', async () => {
    const { sessions } = await userWithThreeSessions();
    const [mine, other] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    const response = await call('POST', '/logout', mine.access_token);
    expect(response.status).toBe(204);
    const reused = await listSessions(mine.access_token);
    expect(reused.status).toBe(401);
    expect(reused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect((await refresh(context.auth.url, mine.refresh_token)).body.error).toBe('invalid_grant');
    const sid = claimsOf(mine.access_token).sid as string;
    expect((await sessionRow(context.auth.pool, sid)).revoked_reason).toBe('logout');
    // The user's other sessions go on.
    expect((await listSessions(other.access_token)).body.sessions).toHaveLength(2);
  });

  it('ends every session of the user with scope=all', async () => {
    const { sessions } = await userWithThreeSessions();
    const [mine] = sessions;
    expect((await call('POST', '/logout?scope=all', mine?.access_token as string)).status).toBe(
      204,
    );
    for (const session of sessions) {
      expect((await listSessions(session.access_token)).status).toBe(401);
      expect((await refresh(context.auth.url, session.refresh_token)).status).toBe(400);
    }
  });

  it('refuses an unknown scope', async () => {
    const { token } = await registerAndLogin(context.auth.url);
    const response = await call('POST', '/logout?scope=everything', token);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect((await listSessions(token)).status).toBe(200);
  });
});

describe('DELETE /sessions/{id}', () => {
  it('ends one of the caller’s sessions', async () => {
    const { sessions } = await userWithThreeSessions();
    const [mine, phone] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    const phoneSid = claimsOf(phone.access_token).sid as string;
    expect((await call('DELETE', `/sessions/${phoneSid}`, mine.access_token)).status).toBe(204);
    expect((await listSessions(phone.access_token)).status).toBe(401);
    expect((await listSessions(mine.access_token)).body.sessions).toHaveLength(2);
    expect((await sessionRow(context.auth.pool, phoneSid)).revoked_reason).toBe('ended_by_user');
  });

  it('answers 404 for another user’s session, an ended one and a malformed id', async () => {
    const victim = await registerAndLogin(context.auth.url);
    const { token } = await registerAndLogin(context.auth.url);
    const victimSid = claimsOf(victim.token).sid as string;
    for (const id of [victimSid, 'not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const response = await call('DELETE', `/sessions/${id}`, token);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 'not_found' });
    }
    expect((await listSessions(victim.token)).status).toBe(200);
  });
});

describe('POST /password', () => {
  it('changes the password and ends the other sessions, saying how many (ASVS 7.4.3)', async () => {
    const { username, sessions } = await userWithThreeSessions();
    const [first, second, current] = sessions;
    const newPassword = 'a brand new passphrase';
    const response = await call('POST', '/password', current?.access_token as string, {
      current_password: GOOD_PASSWORD,
      new_password: newPassword,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sessions_ended: 2 });
    expect((await listSessions(current?.access_token as string)).status).toBe(200);
    for (const ended of [first, second])
      expect((await listSessions(ended?.access_token as string)).status).toBe(401);
    const old = await request(`${context.auth.url}/login`, {
      body: { username, password: GOOD_PASSWORD },
    });
    expect(old.status).toBe(401);
    expect((await login(username, newPassword)).access_token).toEqual(expect.any(String));
    const metrics = (await request(`${context.auth.url}/metrics`)).text;
    expect(metricValue(metrics, 'sessions_ended_total', 'reason="password_changed"')).toBe(2);
  });

  it('refuses a wrong current password and a new one that breaks the policy, changing nothing', async () => {
    const { username, sessions } = await userWithThreeSessions();
    const token = sessions[0]?.access_token as string;
    const wrong = await call('POST', '/password', token, {
      current_password: 'not my password',
      new_password: 'a brand new passphrase',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([
      { field: 'current_password', reason: 'is not the current password' },
    ]);
    const weak = await call('POST', '/password', token, {
      current_password: GOOD_PASSWORD,
      new_password: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors).toEqual([
      { field: 'new_password', reason: 'must be at least 8 characters' },
    ]);
    expect((await login(username)).access_token).toEqual(expect.any(String));
    expect((await listSessions(token)).body.sessions.length).toBeGreaterThanOrEqual(3);
  });
});

describe('POST /password, guarded like registration and login', () => {
  it('refuses a new password from the common-password list', async () => {
    const { token } = await registerAndLogin(context.auth.url);
    const response = await call('POST', '/password', token, {
      current_password: GOOD_PASSWORD,
      new_password: 'password123',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'new_password', reason: COMMON_PASSWORD_REASON },
    ]);
  });

  it('counts wrong current passwords as failed logins of the account: 429 past the limit', async () => {
    const { username, token } = await registerAndLogin(context.auth.url);
    const guess = (current: string) =>
      call('POST', '/password', token, {
        current_password: current,
        new_password: 'a brand new passphrase',
      });
    for (let attempt = 0; attempt < 10; attempt += 1)
      expect((await guess(`wrong guess ${attempt}`)).status).toBe(400);
    const limited = await guess(GOOD_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same budget as logging in: the account's logins are throttled too.
    const login = await request(`${context.auth.url}/login`, {
      body: { username, password: GOOD_PASSWORD },
    });
    expect(login.status).toBe(429);
  });
});

describe('POST /revoke (RFC 7009)', () => {
  const revoke = (params: Record<string, string>) => postForm(`${context.auth.url}/revoke`, params);

  it('answers 200 for unknown, malformed and repeated tokens alike', async () => {
    for (const token of ['nope', `aprt_${'B'.repeat(43)}`, 'a.b.c']) {
      const response = await revoke({ token });
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
    }
    const { refreshToken } = await registerAndLogin(context.auth.url);
    expect((await revoke({ token: refreshToken })).status).toBe(200);
    expect((await revoke({ token: refreshToken })).status).toBe(200);
  });

  it('ends the session of a revoked refresh token, whatever the hint says', async () => {
    const { refreshToken, token } = await registerAndLogin(context.auth.url);
    const response = await revoke({ token: refreshToken, token_type_hint: 'access_token' });
    expect(response.status).toBe(200);
    expect((await refresh(context.auth.url, refreshToken)).body.error).toBe('invalid_grant');
    expect((await listSessions(token)).status).toBe(401);
    const sid = claimsOf(token).sid as string;
    expect((await sessionRow(context.auth.pool, sid)).revoked_reason).toBe('token_revoked');
  });

  it('ends the session of a revoked access token', async () => {
    const { refreshToken, token } = await registerAndLogin(context.auth.url);
    expect((await revoke({ token, token_type_hint: 'access_token' })).status).toBe(200);
    expect((await listSessions(token)).status).toBe(401);
    expect((await refresh(context.auth.url, refreshToken)).status).toBe(400);
  });

  it('answers a missing token with invalid_request in the OAuth format', async () => {
    const response = await revoke({ token_type_hint: 'refresh_token' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request', code: 'invalid_request' });
  });
});

import {
  adminSessionListSchema,
  adminUserPageSchema,
  adminUserSchema,
  disableUserResponseSchema,
  roleChangeResponseSchema,
} from '@authpair/contracts';
import { adminForThisFile } from '../support/admin';
import {
  bearer,
  claimsOf,
  GOOD_PASSWORD,
  type ReadResponse,
  refresh,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { useServices } from '../support/services';

const fixture = useServices();
const admins = adminForThisFile(fixture);

const call = (path: string, method = 'GET', token = admins.admin.token) =>
  request(`${fixture.auth.url}/admin${path}`, { method, headers: bearer(token) });

function expectProblem(response: ReadResponse, status: number, code: string) {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
}

describe('who may use the admin API', () => {
  it('gives an admin made by auth-admin a token with the admin scope', () => {
    expect(claimsOf(admins.admin.token).scope).toBe('profile admin');
  });

  it('answers 401 without a token and 403 insufficient_scope to a user without the admin scope', async () => {
    const anonymous = await request(`${fixture.auth.url}/admin/users`);
    expectProblem(anonymous, 401, 'missing_credentials');
    const user = await registerAndLogin(fixture.auth.url);
    const refused = await call('/users', 'GET', user.token);
    expectProblem(refused, 403, 'insufficient_scope');
    expect(refused.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="authpair", error="insufficient_scope", error_description="[^"]+", scope="admin"$/,
    );
  });
});

describe('users', () => {
  it('lists users a page at a time by username, with filters, until next_cursor is null', async () => {
    const prefix = uniqueUsername('page');
    for (const suffix of ['c', 'a', 'b'])
      await request(`${fixture.auth.url}/register`, {
        body: { username: `${prefix}_${suffix}`, password: GOOD_PASSWORD },
      });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = `?limit=2&username=${prefix.toUpperCase()}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = adminUserPageSchema.parse((await call(`/users${query}`)).body);
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((user) => user.username));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(['a', 'b', 'c'].map((suffix) => `${prefix}_${suffix}`));

    const onlyAdmins = adminUserPageSchema.parse((await call('/users?role=admin')).body);
    expect(onlyAdmins.users.map((user) => user.username)).toEqual([admins.admin.username]);
  });

  it('refuses a limit out of bounds, a forged cursor and a NUL with 400, never a 500', async () => {
    const nul = Buffer.from('\u0000').toString('base64url');
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=x',
      '?limit=1&limit=2',
      '?cursor=%2F%2F',
      `?cursor=${nul}`,
      '?status=gone',
      '?username=a%00b',
    ])
      expectProblem(await call(`/users${query}`), 400, 'validation_failed');
  });

  it('shows one user, and answers 404 for an unknown or malformed id', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const shown = adminUserSchema.parse((await call(`/users/${user.id}`)).body);
    expect(shown).toEqual({
      id: user.id,
      username: user.username,
      roles: ['user'],
      created_at: expect.any(String),
      disabled_at: null,
    });
    expectProblem(await call('/users/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expectProblem(await call("/users/1'%20OR%20'1'='1"), 404, 'not_found');
  });
});

describe('roles', () => {
  it('grants admin: the scope arrives with the next refresh; revoking it ends the sessions', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const granted = roleChangeResponseSchema.parse(
      (await call(`/users/${user.id}/roles/admin`, 'PUT')).body,
    );
    expect(granted).toMatchObject({ changed: true, user: { roles: ['user', 'admin'] } });
    // The token issued before the grant keeps its scope until it is refreshed.
    expectProblem(await call('/users', 'GET', user.token), 403, 'insufficient_scope');
    const refreshed = await refresh(fixture.auth.url, user.refreshToken);
    expect(refreshed.body.scope).toBe('profile admin');
    expect((await call('/users', 'GET', refreshed.body.access_token)).status).toBe(200);
    expect((await call(`/users/${user.id}/roles/admin`, 'PUT')).body.changed).toBe(false);

    const revoked = roleChangeResponseSchema.parse(
      (await call(`/users/${user.id}/roles/admin`, 'DELETE')).body,
    );
    expect(revoked).toMatchObject({ changed: true, sessions_ended: 1, user: { roles: ['user'] } });
    expectProblem(await call('/users', 'GET', refreshed.body.access_token), 401, 'invalid_token');
    expect((await refresh(fixture.auth.url, refreshed.body.refresh_token)).body.error).toBe(
      'invalid_grant',
    );
  });

  it('refuses to revoke the base role, an unknown role, or the last admin', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    expectProblem(await call(`/users/${user.id}/roles/user`, 'DELETE'), 400, 'validation_failed');
    expectProblem(await call(`/users/${user.id}/roles/root`, 'PUT'), 400, 'validation_failed');
    expectProblem(await call(`/users/${admins.admin.id}/roles/admin`, 'DELETE'), 409, 'last_admin');
    expectProblem(await call(`/users/${admins.admin.id}/disable`, 'POST'), 409, 'last_admin');
    expect(claimsOf(admins.admin.token).scope).toBe('profile admin');
  });
});

describe('disabling', () => {
  it('ends every session at once, refuses logins with 403 after the password, and can be undone', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    await request(`${fixture.auth.url}/login`, {
      body: { username: user.username, password: GOOD_PASSWORD },
    });
    const disabled = disableUserResponseSchema.parse(
      (await call(`/users/${user.id}/disable`, 'POST')).body,
    );
    expect(disabled.sessions_ended).toBe(2);
    expect(disabled.user.disabled_at).not.toBeNull();

    const login = (password: string) =>
      request(`${fixture.auth.url}/login`, { body: { username: user.username, password } });
    expectProblem(await login(GOOD_PASSWORD), 403, 'account_disabled');
    // A wrong password learns nothing about the account's state.
    expectProblem(await login(`${GOOD_PASSWORD}!`), 401, 'invalid_credentials');

    expect((await call(`/users/${user.id}/disable`, 'POST')).body.sessions_ended).toBe(0);
    const enabled = adminUserSchema.parse((await call(`/users/${user.id}/enable`, 'POST')).body);
    expect(enabled.disabled_at).toBeNull();
    expect((await login(GOOD_PASSWORD)).status).toBe(200);
    // The sessions the disable ended stay ended.
    expect((await refresh(fixture.auth.url, user.refreshToken)).body.error).toBe('invalid_grant');
  });
});

describe("a user's sessions", () => {
  it('are listed, and ended one by one or all at once', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const second = await request(`${fixture.auth.url}/login`, {
      body: { username: user.username, password: GOOD_PASSWORD },
      headers: { 'user-agent': 'second-device' },
    });
    const listed = adminSessionListSchema.parse((await call(`/users/${user.id}/sessions`)).body);
    expect(listed.sessions).toHaveLength(2);
    const sid = claimsOf(user.token).sid as string;

    expect((await call(`/users/${user.id}/sessions/${sid}`, 'DELETE')).status).toBe(204);
    expectProblem(await call(`/users/${user.id}/sessions/${sid}`, 'DELETE'), 404, 'not_found');
    expectProblem(
      await call(`/users/${admins.admin.id}/sessions/${sid}`, 'DELETE'),
      404,
      'not_found',
    );
    expect(
      (await request(`${fixture.auth.url}/sessions`, { headers: bearer(user.token) })).status,
    ).toBe(401);

    const ended = await call(`/users/${user.id}/sessions`, 'DELETE');
    expect(ended.body).toEqual({ sessions_ended: 1 });
    expect(
      (await request(`${fixture.auth.url}/sessions`, { headers: bearer(second.body.access_token) }))
        .status,
    ).toBe(401);
    expectProblem(
      await call('/users/00000000-0000-4000-8000-000000000000/sessions'),
      404,
      'not_found',
    );
  });
});

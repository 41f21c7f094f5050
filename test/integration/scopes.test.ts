import { adminReportResponseSchema } from '@authpair/contracts';
import { adminForThisFile, createAdmin } from '../support/admin';
import {
  bearer,
  claimsOf,
  eventually,
  postForm,
  refresh,
  registerAndLogin,
  request,
} from '../support/http';
import { useServices } from '../support/services';
import { tokenRow } from '../support/sessions';

/**
 * Scopes end to end: derived from roles at the auth service, carried in
 * the access token, required by the resource service's admin endpoint.
 */
const fixture = useServices({ resource: {} });
const admins = adminForThisFile(fixture);

const reports = (token?: string) =>
  request(`${fixture.resource.url}/admin/reports`, token ? { headers: bearer(token) } : {});

describe('the scope of an access token', () => {
  it('is profile for every user and profile admin for an admin, in the token and the response', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    expect(user.login.scope).toBe('profile');
    expect(claimsOf(user.token).scope).toBe('profile');
    expect(claimsOf(admins.admin.token).scope).toBe('profile admin');
  });

  it('may be narrowed at a refresh, never widened; a refused scope spends nothing', async () => {
    const narrowed = await postForm(`${fixture.auth.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: admins.admin.refreshToken,
      scope: 'profile',
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('profile');
    expect(claimsOf(narrowed.body.access_token).scope).toBe('profile');
    // Without a scope, the next refresh grants all the roles give again (RFC 6749 §6).
    const full = await refresh(fixture.auth.url, narrowed.body.refresh_token);
    expect(full.body.scope).toBe('profile admin');

    const user = await registerAndLogin(fixture.auth.url);
    const widened = await postForm(`${fixture.auth.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
      scope: 'profile admin',
    });
    expect(widened.status).toBe(400);
    expect(widened.body).toMatchObject({ error: 'invalid_scope', code: 'invalid_scope' });
    expect((await tokenRow(fixture.auth.pool, user.refreshToken)).used_at).toBeNull();
    expect((await refresh(fixture.auth.url, user.refreshToken)).status).toBe(200);
  });
});

describe('GET /admin/reports at the resource service', () => {
  it('serves a token with the admin scope: the state of this replica’s keys, revocations and cache', async () => {
    // The cache admits a token on its second verification: this call is the third.
    await reports(admins.admin.token);
    await reports(admins.admin.token);
    const response = await reports(admins.admin.token);
    expect(response.status).toBe(200);
    const report = adminReportResponseSchema.parse(response.body);
    expect(report.requested_by).toEqual({
      sub: admins.admin.id,
      username: admins.admin.username,
    });
    expect(report.jwks).toMatchObject({ status: 'fresh', keys: 1 });
    expect(report.verified_tokens.cached).toBeGreaterThan(0);
  });

  it('answers a valid token without the scope 403 insufficient_scope, naming the scope (RFC 6750 §3.1)', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const response = await reports(user.token);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'insufficient_scope', status: 403 });
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="authpair", error="insufficient_scope", error_description="this needs an access token with the admin scope", scope="admin"',
    );
    // The same token is good where no scope is needed.
    expect(
      (await request(`${fixture.resource.url}/protected`, { headers: bearer(user.token) })).status,
    ).toBe(200);
  });

  it('still answers 401 first: no token, or a bad one, is not a scope problem', async () => {
    const none = await reports();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="authpair"');
    const forged = await reports(`${admins.admin.token.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('invalid_token');
  });

  it('refuses an admin whose admin role was revoked, within the revocation bound', async () => {
    const second = await createAdmin(fixture.db.url, fixture.auth.url);
    expect((await reports(second.token)).status).toBe(200);
    const revoked = await request(`${fixture.auth.url}/admin/users/${second.id}/roles/admin`, {
      method: 'DELETE',
      headers: bearer(admins.admin.token),
    });
    expect(revoked.body.sessions_ended).toBe(1);
    const refused = await eventually(
      () => reports(second.token),
      (response) => response.status !== 200,
      { timeoutMs: 5000 },
    );
    expect(refused.status).toBe(401);
  });
});

import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import { adminForThisFile, runAdmin } from '../support/admin';
import {
  bearer,
  eventually,
  GOOD_PASSWORD,
  refresh,
  registerAndLogin,
  request,
} from '../support/http';
import { authEnvironment, TEST_FEED_TOKEN, useServices } from '../support/services';

/**
 * Catalogue 25 (ASVS 7.4.2): a disabled user's refresh tokens fail at once;
 * their live access tokens are refused at once by the auth service, and by
 * the resource service within the revocation bound (one poll interval and
 * a feed read; REVOCATION_MAX_LAG_MS at worst, failing closed).
 */
const fixture = useServices({ resource: {} });
const admins = adminForThisFile(fixture);
const POLL_INTERVAL_MS = 1000; // REVOCATION_POLL_INTERVAL_MS, the default

const atResource = (token: string) =>
  request(`${fixture.resource.url}/protected`, { headers: bearer(token) });

// SECURITY.md, hostile-input catalogue 25.
describe('a disabled user', () => {
  it('refresh fails at once; live access tokens are refused at once by auth and within the revocation bound by the resource service', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    expect((await atResource(user.token)).status).toBe(200);

    const disabled = await request(`${fixture.auth.url}/admin/users/${user.id}/disable`, {
      method: 'POST',
      headers: bearer(admins.admin.token),
    });
    const disabledAt = Date.now();
    expect(disabled.status).toBe(200);
    expect(disabled.body.sessions_ended).toBe(1);

    // At once, with no waiting: the refresh token, the access token at auth, a new login.
    const refreshed = await refresh(fixture.auth.url, user.refreshToken);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body).toMatchObject({ error: 'invalid_grant', code: 'invalid_grant' });
    const atAuth = await request(`${fixture.auth.url}/sessions`, {
      headers: bearer(user.token),
    });
    expect(atAuth.status).toBe(401);
    expect(atAuth.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const login = await request(`${fixture.auth.url}/login`, {
      body: { username: user.username, password: GOOD_PASSWORD },
    });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('account_disabled');

    // The resource service verifies the token offline; the feed tells it the session ended.
    const refused = await eventually(
      () => atResource(user.token),
      (response) => response.status !== 200,
      { intervalMs: 10, timeoutMs: 5000 },
    );
    const delay = Date.now() - disabledAt;
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain(
      'error_description="the session of this token has ended"',
    );
    expect(delay).toBeLessThan(POLL_INTERVAL_MS + 500);
    const feed = await request(`${fixture.auth.url}${REVOCATION_FEED_PATH}`, {
      headers: bearer(TEST_FEED_TOKEN),
    });
    expect(feed.body.revocations).toContainEqual(
      expect.objectContaining({ sid: expect.any(String), reason: 'user_disabled' }),
    );
  });

  it('auth-admin users disable has the same effect (break-glass without an admin token)', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const run = await runAdmin(
      ['users', 'disable', user.username, '--json'],
      authEnvironment(fixture.db.url),
    );
    expect(run.code).toBe(0);
    expect(run.json.sessions_ended).toBe(1);
    expect((await refresh(fixture.auth.url, user.refreshToken)).body.error).toBe('invalid_grant');
    const refused = await eventually(
      () => atResource(user.token),
      (response) => response.status !== 200,
      { intervalMs: 10, timeoutMs: 5000 },
    );
    expect(refused.status).toBe(401);
  });
});

import type { InvalidGrantReason } from '@authpair/contracts';
import { createAdmin } from '../support/admin';
import { bearer, type ReadResponse, refresh, registerAndLogin, request } from '../support/http';
import { useServices } from '../support/services';
import { tokenHash } from '../support/sessions';

/**
 * Every dead refresh token is `invalid_grant`; its `reason` says what
 * happened to it, so that a client can tell its user (SECURITY.md says why
 * that leaks nothing the holder of the token could not learn anyway).
 */
const services = useServices({ auth: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
const refusedWith = (response: ReadResponse, reason: InvalidGrantReason) => {
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ error: 'invalid_grant', code: 'invalid_grant', reason });
};

describe('the reason of an invalid_grant', () => {
  it('is invalid for a token this issuer never issued', async () => {
    refusedWith(await refresh(services.auth.url, 'rt_not-a-token-of-ours'), 'invalid');
  });

  it('is reuse_detected for a spent token, and for every token of the family it ended', async () => {
    const { refreshToken } = await registerAndLogin(services.auth.url);
    const child = (await refresh(services.auth.url, refreshToken)).body.refresh_token as string;
    refusedWith(await refresh(services.auth.url, refreshToken), 'reuse_detected');
    refusedWith(await refresh(services.auth.url, child), 'reuse_detected');
  });

  it('is session_ended after a logout', async () => {
    const { token, refreshToken } = await registerAndLogin(services.auth.url);
    const logout = await request(`${services.auth.url}/logout`, {
      method: 'POST',
      headers: bearer(token),
    });
    expect(logout.status).toBe(204);
    refusedWith(await refresh(services.auth.url, refreshToken), 'session_ended');
  });

  it('is user_disabled once an administrator disabled the account', async () => {
    const admin = await createAdmin(services.db.url, services.auth.url);
    const user = await registerAndLogin(services.auth.url);
    const disabled = await request(`${services.auth.url}/admin/users/${user.id}/disable`, {
      method: 'POST',
      headers: bearer(admin.token),
    });
    expect(disabled.status).toBe(200);
    refusedWith(await refresh(services.auth.url, user.refreshToken), 'user_disabled');
  });

  it('is expired for a token past its lifetime', async () => {
    const { refreshToken } = await registerAndLogin(services.auth.url);
    // Expiry is judged by the database's clock: move the token's back rather than wait.
    await services.auth.pool.query(
      `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
      [tokenHash(refreshToken)],
    );
    refusedWith(await refresh(services.auth.url, refreshToken), 'expired');
  });
});

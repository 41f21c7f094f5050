import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { RunningAuthService } from '@authpair/auth';
import { createLogger } from '@authpair/service-kit';
import {
  bearer,
  eventually,
  postForm,
  type ReadResponse,
  refresh,
  registerAndLogin,
  request,
} from '../support/http';
import { useServices } from '../support/services';
import { tokenHash, tokenRow } from '../support/sessions';

const services = useServices({ auth: false });
let auth: RunningAuthService;
let strict: RunningAuthService;
let idle: RunningAuthService;
let log = '';

beforeAll(async () => {
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => (log += chunk.toString()));
  auth = await services.startAuth(
    {},
    { logger: createLogger({ service: 'auth', level: 'trace', destination }) },
  );
  strict = await services.startAuth({ REFRESH_REUSE_GRACE_SECONDS: '0' });
  idle = await services.startAuth({ REFRESH_TOKEN_TTL: '1' });
});

function expectInvalidGrant(response: ReadResponse) {
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ error: 'invalid_grant', code: 'invalid_grant' });
}

/** Tokens that are live: neither spent nor revoked. No token may have two live children. */
async function tokensWithTwoLiveChildren(): Promise<unknown[]> {
  const { rows } = await auth.pool.query(
    `SELECT parent_id FROM refresh_tokens
      WHERE used_at IS NULL AND revoked_at IS NULL AND parent_id IS NOT NULL
      GROUP BY parent_id HAVING count(*) > 1`,
  );
  return rows;
}

// SECURITY.md, hostile-input catalogue 23.
describe('a refresh token used twice', () => {
  it('the second use is invalid_grant and revokes the whole family', async () => {
    const { refreshToken } = await registerAndLogin(strict.url);
    const child = (await refresh(strict.url, refreshToken)).body.refresh_token as string;
    expectInvalidGrant(await refresh(strict.url, refreshToken));
    expectInvalidGrant(await refresh(strict.url, child));
    const { rows } = await strict.pool.query(
      `SELECT s.revoked_reason, count(t.*) FILTER (WHERE t.used_at IS NULL AND t.revoked_at IS NULL) AS live
         FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id
        WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)
        GROUP BY s.revoked_reason`,
      [tokenHash(refreshToken)],
    );
    expect(rows).toEqual([{ revoked_reason: 'refresh_token_reuse', live: '0' }]);
  });

  it('with the grace window on, a second use after the child was used is reuse too', async () => {
    const { refreshToken } = await registerAndLogin(auth.url);
    const child = (await refresh(auth.url, refreshToken)).body.refresh_token as string;
    const grandchild = (await refresh(auth.url, child)).body.refresh_token as string;
    expectInvalidGrant(await refresh(auth.url, refreshToken));
    expectInvalidGrant(await refresh(auth.url, grandchild));
  });

  it('10 parallel refreshes with one token never yield two live children', async () => {
    for (const service of [auth, strict]) {
      const logins = await Promise.all([1, 2, 3].map(() => registerAndLogin(service.url)));
      await Promise.all(
        logins.flatMap(({ refreshToken }) =>
          Array.from({ length: 10 }, () => refresh(service.url, refreshToken)),
        ),
      );
      for (const { refreshToken } of logins) {
        const { session_id } = await tokenRow(service.pool, refreshToken);
        const { rows } = await service.pool.query(
          `SELECT count(*)::int AS live FROM refresh_tokens
            WHERE session_id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
          [session_id],
        );
        expect(rows[0].live).toBeLessThanOrEqual(1);
      }
    }
    expect(await tokensWithTwoLiveChildren()).toEqual([]);
  });
});

// SECURITY.md, hostile-input catalogue 24.
describe('garbage, expired, revoked and post-logout refresh tokens', () => {
  it('answers garbage with 400 invalid_grant, never a 500', async () => {
    const { token: accessToken } = await registerAndLogin(auth.url);
    const garbage = [
      'x',
      '🔑🔑🔑',
      "' OR 1=1 --",
      'aprt_\u0000',
      `aprt_${randomBytes(32).toString('base64url')}`,
      `aprt_${randomBytes(33).toString('base64url')}`,
      `APRT_${randomBytes(32).toString('base64url')}`,
      accessToken,
      'a'.repeat(4000),
    ];
    for (const value of garbage)
      expectInvalidGrant(
        await postForm(`${auth.url}/token`, { grant_type: 'refresh_token', refresh_token: value }),
      );
  });

  it('answers an expired refresh token with 400 invalid_grant', async () => {
    const { refreshToken } = await registerAndLogin(idle.url);
    await eventually(
      () => tokenRow(idle.pool, refreshToken),
      (row) => row.expired,
    );
    expectInvalidGrant(await refresh(idle.url, refreshToken));
  });

  it('answers a revoked refresh token with 400 invalid_grant', async () => {
    const { refreshToken } = await registerAndLogin(auth.url);
    expect((await postForm(`${auth.url}/revoke`, { token: refreshToken })).status).toBe(200);
    expectInvalidGrant(await refresh(auth.url, refreshToken));
  });

  it('answers a refresh token after logout, and after logout everywhere, with 400 invalid_grant', async () => {
    for (const query of ['', '?scope=all']) {
      const { refreshToken, token } = await registerAndLogin(auth.url);
      const logout = await request(`${auth.url}/logout${query}`, {
        method: 'POST',
        headers: bearer(token),
      });
      expect(logout.status).toBe(204);
      expectInvalidGrant(await refresh(auth.url, refreshToken));
    }
  });

  it('stores refresh tokens hashed only, and never logs them', async () => {
    const { refreshToken } = await registerAndLogin(auth.url);
    const rotated = (await refresh(auth.url, refreshToken)).body.refresh_token as string;
    const random = (token: string) => token.slice('aprt_'.length);
    const { rows } = await auth.pool.query(
      `SELECT t.*, s.* FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
        WHERE t.token_hash = ANY($1)`,
      [[tokenHash(refreshToken), tokenHash(rotated)]],
    );
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(rows, (_key, value) =>
      value?.type === 'Buffer' ? Buffer.from(value.data).toString('base64url') : value,
    );
    for (const token of [refreshToken, rotated]) {
      expect(stored).not.toContain(random(token));
      expect(log).not.toContain(random(token));
    }
    expect(log).toContain('"route":"/token"');
  });
});

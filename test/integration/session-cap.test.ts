import {
  bearer,
  claimsOf,
  GOOD_PASSWORD,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { useServices } from '../support/services';

/**
 * SESSION_MAX_PER_USER: a user holds at most that many live sessions; a
 * login beyond it ends the oldest, audited and published in the revocation
 * feed like any other end.
 */
const MAX = 3;
const context = useServices({ auth: { SESSION_MAX_PER_USER: String(MAX) } });

const login = (username: string) =>
  request(`${context.auth.url}/login`, { body: { username, password: GOOD_PASSWORD } });

const sessionsOf = (token: string) =>
  request(`${context.auth.url}/sessions`, { headers: bearer(token) });

describe('SESSION_MAX_PER_USER', () => {
  it('ends the oldest sessions when a login goes beyond the cap, through the feed and the audit trail', async () => {
    const username = uniqueUsername();
    const first = await registerAndLogin(context.auth.url, username);
    const tokens = [first.token];
    for (let index = 1; index < MAX + 2; index += 1)
      tokens.push((await login(username)).body.access_token as string);
    const sids = tokens.map((token) => claimsOf(token).sid as string);
    const newest = tokens.at(-1) as string;

    const listed = await sessionsOf(newest);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((session: { id: string }) => session.id).sort()).toEqual(
      sids.slice(-MAX).sort(),
    );
    // The two oldest have ended: their tokens are refused, and the feed publishes them.
    for (const token of tokens.slice(0, 2)) expect((await sessionsOf(token)).status).toBe(401);
    const { rows } = await context.auth.pool.query<{ id: string; revoked_reason: string }>(
      'SELECT id, revoked_reason FROM sessions WHERE id = ANY($1::uuid[]) AND revoked_at IS NOT NULL',
      [sids],
    );
    expect(rows.map((row) => row.id).sort()).toEqual(sids.slice(0, 2).sort());
    expect(rows.every((row) => row.revoked_reason === 'session_limit')).toBe(true);
    const feed = await request(`${context.auth.url}/internal/revocations`, {
      headers: bearer('test-revocation-feed-token-0123456789'),
    });
    expect(feed.body.revocations).toEqual(
      expect.arrayContaining(
        sids
          .slice(0, 2)
          .map((sid) => ({ sid, revoked_at: expect.any(String), reason: 'session_limit' })),
      ),
    );
    const audited = await context.auth.pool.query<{ detail: { session_id: string } }>(
      `SELECT detail FROM audit_events
        WHERE type = 'session_revoked' AND detail->>'reason' = 'session_limit'
          AND detail->>'session_id' = ANY($1::text[])`,
      [sids],
    );
    expect(audited.rows).toHaveLength(2);
  });

  it('holds under parallel logins of one user: never more live sessions than the cap', async () => {
    const username = uniqueUsername();
    const first = await registerAndLogin(context.auth.url, username);
    const logins = await Promise.all(Array.from({ length: 8 }, () => login(username)));
    expect(logins.map((response) => response.status)).toEqual(Array(8).fill(200));
    const { rows } = await context.auth.pool.query<{ live: string }>(
      `SELECT count(*) AS live FROM sessions
        WHERE user_id = $1 AND revoked_at IS NULL`,
      [first.id],
    );
    expect(Number(rows[0]?.live)).toBe(MAX);
  });
});

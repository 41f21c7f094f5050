import { PURGE_BATCH, SessionPurger } from '../../services/auth/src/sessions/session-purge';
import {
  bearer,
  claimsOf,
  GOOD_PASSWORD,
  refresh,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { testLogger, useServices } from '../support/services';
import { metricValue } from '../support/sessions';

const context = useServices();
const RETENTION_DAYS = 30;

// The service's own hourly timer must not purge in the middle of a test:
// stopped, its purger still purges when called (one batch per call).
beforeAll(() => context.auth.sessionPurger.stop());

interface Login {
  sid: string;
  accessToken: string;
  refreshToken: string;
}

async function login(username: string): Promise<Login> {
  const response = await request(`${context.auth.url}/login`, {
    body: { username, password: GOOD_PASSWORD },
  });
  const body = response.body as { access_token: string; refresh_token: string };
  return {
    sid: claimsOf(body.access_token).sid as string,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
  };
}

async function logout(session: Login): Promise<void> {
  const response = await request(`${context.auth.url}/logout`, {
    method: 'POST',
    headers: bearer(session.accessToken),
  });
  expect(response.status).toBe(204);
}

/** How each way of ending is dated `days` back, as if that much time had gone by since. */
const BACKDATE = {
  revoked: `UPDATE sessions SET revoked_at = now() - make_interval(days => $2) WHERE id = $1`,
  expired: `UPDATE sessions SET expires_at = now() - make_interval(days => $2) WHERE id = $1`,
  // The live token's expiry: the session went idle then.
  idle: `UPDATE refresh_tokens SET expires_at = now() - make_interval(days => $2)
          WHERE session_id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
} as const;

async function backdate(how: keyof typeof BACKDATE, session: Login, days: number): Promise<void> {
  await context.auth.pool.query(BACKDATE[how], [session.sid, days]);
}

async function existing(sids: string[]): Promise<string[]> {
  const { rows } = await context.auth.pool.query<{ id: string }>(
    'SELECT id FROM sessions WHERE id = ANY($1::uuid[]) ORDER BY id',
    [sids],
  );
  return rows.map((row) => row.id);
}

async function tokenCount(sids: string[]): Promise<number> {
  const { rows } = await context.auth.pool.query<{ count: string }>(
    'SELECT count(*) FROM refresh_tokens WHERE session_id = ANY($1::uuid[])',
    [sids],
  );
  return Number(rows[0]?.count);
}

/** One user's sessions in every state the purge tells apart. */
async function sessionsInEveryState() {
  const username = uniqueUsername();
  await registerAndLogin(context.auth.url, username);
  const live = await login(username);
  const recentlyRevoked = await login(username);
  const expiredWithinRetention = await login(username);
  const idleWithinRetention = await login(username);
  const longRevoked = await login(username);
  const longExpired = await login(username);
  const longIdle = await login(username);
  // A family with history: two rotations, so spent parents point at children.
  const rotatedThenRevoked = await login(username);
  let current = rotatedThenRevoked.refreshToken;
  for (let i = 0; i < 2; i += 1) {
    const rotated = await refresh(context.auth.url, current);
    expect(rotated.status).toBe(200);
    current = (rotated.body as { refresh_token: string }).refresh_token;
  }
  for (const session of [recentlyRevoked, longRevoked, rotatedThenRevoked]) await logout(session);
  const backdated: Array<[keyof typeof BACKDATE, Login, number]> = [
    ['revoked', longRevoked, RETENTION_DAYS + 1],
    ['revoked', rotatedThenRevoked, RETENTION_DAYS + 1],
    ['expired', longExpired, RETENTION_DAYS + 1],
    ['expired', expiredWithinRetention, RETENTION_DAYS - 1],
    ['idle', longIdle, RETENTION_DAYS + 1],
    ['idle', idleWithinRetention, RETENTION_DAYS - 1],
  ];
  for (const [how, session, days] of backdated) await backdate(how, session, days);
  return {
    kept: [live, recentlyRevoked, expiredWithinRetention, idleWithinRetention],
    purged: [longRevoked, longExpired, longIdle, rotatedThenRevoked],
    spentOfPurged: rotatedThenRevoked.refreshToken,
  };
}

describe('purging ended sessions', () => {
  it(`deletes sessions ended more than ${RETENTION_DAYS} days ago, with their refresh tokens, and nothing else`, async () => {
    const before = metricValue(await context.auth.metrics.metrics(), 'sessions_purged_total');
    const { kept, purged, spentOfPurged } = await sessionsInEveryState();
    const all = [...kept, ...purged].map((session) => session.sid);
    expect(await tokenCount(purged.map((session) => session.sid))).toBeGreaterThanOrEqual(6);

    expect(await context.auth.sessionPurger.purge()).toBe(purged.length);

    expect(await existing(all)).toEqual(kept.map((session) => session.sid).sort());
    expect(await tokenCount(purged.map((session) => session.sid))).toBe(0);
    expect(metricValue(await context.auth.metrics.metrics(), 'sessions_purged_total')).toBe(
      before + purged.length,
    );
    // The session still running is untouched: it refreshes as before.
    expect((await refresh(context.auth.url, kept[0]?.refreshToken as string)).status).toBe(200);
    // A spent token of a purged family is simply unknown now.
    const stale = await refresh(context.auth.url, spentOfPurged);
    expect(stale.status).toBe(400);
    expect(stale.body).toMatchObject({ error: 'invalid_grant' });
    expect(await context.auth.sessionPurger.purge()).toBe(0);
  });

  it('keeps a session revoked within the retention, which the revocation feed may still list', async () => {
    const username = uniqueUsername();
    await registerAndLogin(context.auth.url, username);
    const session = await login(username);
    await logout(session);
    await backdate('revoked', session, RETENTION_DAYS - 1);
    expect(await context.auth.sessionPurger.purge()).toBe(0);
    expect(await existing([session.sid])).toEqual([session.sid]);
  });

  it('deletes nothing with a retention of 0 days (keep forever)', async () => {
    const { purged } = await sessionsInEveryState();
    const keeper = new SessionPurger(context.auth.pool, testLogger('auth'), {
      retentionDays: 0,
      intervalMs: 60_000,
    });
    expect(await keeper.purge()).toBe(0);
    const sids = purged.map((session) => session.sid);
    expect(await existing(sids)).toEqual([...sids].sort());
    await context.auth.sessionPurger.purge(); // leave the database as the other tests expect
  });

  it('lets replicas purge at once, batch after batch: each session is deleted once, and none fails', async () => {
    const { id: userId, token } = await registerAndLogin(context.auth.url);
    // More sessions than three batches hold, each with a refresh token, all ended long ago.
    const count = PURGE_BATCH * 3 + 7;
    await context.auth.pool.query(
      `WITH ended AS (
         INSERT INTO sessions (user_id, expires_at)
         SELECT $1, now() - interval '${RETENTION_DAYS + 1} days' FROM generate_series(1, $2)
         RETURNING id, expires_at)
       INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
       SELECT id, sha256(id::text::bytea), expires_at FROM ended`,
      [userId, count],
    );
    const replicas = Array.from(
      { length: 3 },
      () =>
        new SessionPurger(context.auth.pool, testLogger('auth'), {
          retentionDays: RETENTION_DAYS,
          intervalMs: 60_000,
        }),
    );
    const counts = await Promise.all(replicas.map((replica) => replica.purge()));
    // A replica that found the lock taken stopped for this round; later rounds take the rest.
    const nextRound = () => context.auth.sessionPurger.purge();
    let leftover = 0;
    for (let deleted = await nextRound(); deleted > 0; deleted = await nextRound())
      leftover += deleted;
    expect(counts.reduce((sum, n) => sum + n, 0) + leftover).toBe(count);
    const { rows: remaining } = await context.auth.pool.query<{ id: string }>(
      'SELECT id FROM sessions WHERE user_id = $1',
      [userId],
    );
    // Only the login's own session, live, is left.
    expect(remaining.map((row) => row.id)).toEqual([claimsOf(token).sid]);
  });
});

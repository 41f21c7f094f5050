import { SERVICE_AUDIT } from '../../services/auth/src/audit/audit-log';
import {
  type Cursor,
  formatCursor,
  parseCursor,
} from '../../services/auth/src/sessions/revocation-cursor';
import { revocationFeedPage } from '../../services/auth/src/sessions/revocation-feed';
import { createSessionQueries } from '../../services/auth/src/sessions/session-queries';
import {
  bearer,
  claimsOf,
  eventually,
  GOOD_PASSWORD,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { TEST_FEED_TOKEN, useServices } from '../support/services';

/** The auth service's side of revocation: the feed resource services poll. */
const context = useServices();

const feed = (since?: string, token = TEST_FEED_TOKEN) =>
  request(
    `${context.auth.url}/internal/revocations${since === undefined ? '' : `?since=${encodeURIComponent(since)}`}`,
    { headers: bearer(token) },
  );

const sidsOf = (body: { revocations: { sid: string }[] }) =>
  body.revocations.map((revocation) => revocation.sid);

async function loggedIn() {
  const { token } = await registerAndLogin(context.auth.url);
  return { token, sid: claimsOf(token).sid as string };
}

const logout = (token: string, query = '') =>
  request(`${context.auth.url}/logout${query}`, { method: 'POST', headers: bearer(token) });

describe('GET /internal/revocations', () => {
  it('requires the shared secret: 401 without it or with another', async () => {
    const none = await request(`${context.auth.url}/internal/revocations`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="authpair-internal"');
    const wrong = await feed(undefined, `${TEST_FEED_TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'invalid_token' });
    expect((await feed()).status).toBe(200);
  });

  it('publishes an ended session once, then moves its cursor past it', async () => {
    const { cursor } = (await feed()).body;
    const { token, sid } = await loggedIn();
    await logout(token);
    const page = await feed(cursor);
    expect(page.body).toEqual({
      revocations: [{ sid, revoked_at: expect.any(String), reason: 'logout' }],
      cursor: expect.any(String),
      has_more: false,
    });
    // RFC 3339 in UTC, to the millisecond, as the contract says.
    const revokedAt = page.body.revocations[0].revoked_at as string;
    expect(new Date(revokedAt).toISOString()).toBe(revokedAt);
    expect(sidsOf((await feed(page.body.cursor)).body)).toEqual([]);
    // A reader without a cursor gets everything within the access-token lifetime.
    expect(sidsOf((await feed()).body)).toContain(sid);
  });

  it('never skips a revocation that commits after a later one (cursor race)', async () => {
    const early = await loggedIn();
    const late = await loggedIn();
    const { cursor } = (await feed()).body;
    // The early revocation's transaction starts first and stays open…
    const client = await context.auth.pool.connect();
    try {
      await client.query('BEGIN');
      await createSessionQueries(client).endSessions(
        { sessionId: early.sid },
        'logout',
        SERVICE_AUDIT,
      );
      // …while a later one commits.
      await logout(late.token);
      const first = (await feed(cursor)).body;
      expect(sidsOf(first)).not.toContain(early.sid);
      await client.query('COMMIT');
      // A `seq > cursor` poll would have moved past the early one by now.
      const seen = [...sidsOf(first), ...sidsOf((await feed(first.cursor)).body)];
      expect(seen).toContain(early.sid);
      expect(seen).toContain(late.sid);
    } finally {
      client.release();
    }
  });

  it('publishes a revocation at once while an older write transaction stays open, and only once', async () => {
    const { cursor } = (await feed()).body;
    const client = await context.auth.pool.connect();
    try {
      // An operator's open psql: a write transaction that began before the logout.
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      const { token, sid } = await loggedIn();
      await logout(token);
      const page = (await feed(cursor)).body;
      expect(sidsOf(page)).toEqual([sid]);
      // The next poll, the transaction still open, has nothing new to send.
      expect(sidsOf((await feed(page.cursor)).body)).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('publishes to a reader a revocation whose transaction began longer ago than the window', async () => {
    const windowSeconds = 1;
    const { sid } = await loggedIn();
    const { cursor } = await revocationFeedPage(context.auth.pool, undefined, windowSeconds);
    const client = await context.auth.pool.connect();
    try {
      await client.query('BEGIN');
      await createSessionQueries(client).endSessions({ sessionId: sid }, 'logout', SERVICE_AUDIT);
      // revoked_at is the transaction's start: older than the window by the time it commits.
      await eventually(
        () => client.query(`SELECT now() < clock_timestamp() - interval '1.5 s' AS old`),
        ({ rows }) => rows[0]?.old === true,
        { what: 'the revoking transaction outliving the window' },
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const page = await revocationFeedPage(context.auth.pool, cursor, windowSeconds);
    expect(page.revocations.map((revocation) => revocation.sid)).toContain(sid);
  });

  it('starts over when handed a cursor from the future (a database restored in place)', async () => {
    const { token, sid } = await loggedIn();
    await logout(token);
    const current = parseCursor((await feed()).body.cursor) as Extract<Cursor, { kind: 'cursor' }>;
    const ahead = 1_000_000_000n;
    const future = formatCursor({
      ...current,
      delivered: { xmin: ahead, xmax: ahead, xip: [] },
    });
    for (const since of [future, '99999999999']) {
      const response = await feed(since);
      expect(response.status).toBe(200);
      expect(sidsOf(response.body)).toContain(sid);
    }
  });

  it('starts over when handed a cursor of another database (a failover, a restore elsewhere)', async () => {
    const { token, sid } = await loggedIn();
    await logout(token);
    const current = parseCursor((await feed()).body.cursor) as Extract<Cursor, { kind: 'cursor' }>;
    const elsewhere = [
      { ...current.epoch, timeline: current.epoch.timeline + 1 },
      { ...current.epoch, systemId: current.epoch.systemId + 1n },
    ];
    for (const epoch of elsewhere) {
      const response = await feed(formatCursor({ ...current, epoch }));
      expect(response.status).toBe(200);
      expect(sidsOf(response.body)).toContain(sid);
    }
  });

  it('refuses a malformed cursor', async () => {
    for (const since of ['abc', '-1', '1.not-a-uuid', "1' OR 1=1"]) {
      const response = await feed(since);
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('since');
    }
  });

  it('serves the page size a reader asks for, up to 5000, and refuses any other with 400 naming limit', async () => {
    const username = uniqueUsername();
    const first = await registerAndLogin(context.auth.url, username);
    for (let index = 0; index < 3; index += 1)
      await request(`${context.auth.url}/login`, { body: { username, password: GOOD_PASSWORD } });
    const { cursor } = (await feed()).body;
    await logout(first.token, '?scope=all');
    const page = await request(
      `${context.auth.url}/internal/revocations?limit=3&since=${encodeURIComponent(cursor)}`,
      { headers: bearer(TEST_FEED_TOKEN) },
    );
    expect(page.body).toMatchObject({ has_more: true });
    expect(page.body.revocations).toHaveLength(3);
    for (const limit of ['0', '5001', '2.5', 'many']) {
      const refused = await request(`${context.auth.url}/internal/revocations?limit=${limit}`, {
        headers: bearer(TEST_FEED_TOKEN),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ field: 'limit', reason: expect.any(String) }]);
    }
    const twice = await request(`${context.auth.url}/internal/revocations?since=a&since=b`, {
      headers: bearer(TEST_FEED_TOKEN),
    });
    expect(twice.status).toBe(400);
    expect(twice.body.errors[0].field).toBe('since');
  });

  it('refuses a since beyond the largest transaction id with 400 validation_failed naming since', async () => {
    for (const since of ['18446744073709551616', '99999999999999999999']) {
      const response = await feed(since);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'since', reason: expect.any(String) }],
      });
    }
  });

  it('says it is done only once what committed during a scan of several pages has been served too', async () => {
    const username = uniqueUsername();
    const first = await registerAndLogin(context.auth.url, username);
    for (let index = 0; index < 4; index += 1)
      await request(`${context.auth.url}/login`, { body: { username, password: GOOD_PASSWORD } });
    const early = await loggedIn();
    const start = (await feed()).body.cursor;
    const client = await context.auth.pool.connect();
    try {
      // A revocation takes its transaction id first, and commits only mid-scan…
      await client.query('BEGIN');
      await createSessionQueries(client).endSessions(
        { sessionId: early.sid },
        'logout',
        SERVICE_AUDIT,
      );
      await logout(first.token, '?scope=all');
      const seen: string[] = [];
      let cursor = start;
      let page = await revocationFeedPage(context.auth.pool, cursor, 3600, 2);
      // …behind the position the scan has reached.
      await client.query('COMMIT');
      for (let pages = 1; page.has_more && pages < 20; pages += 1) {
        seen.push(...page.revocations.map((revocation) => revocation.sid));
        cursor = page.cursor;
        page = await revocationFeedPage(context.auth.pool, cursor, 3600, 2);
      }
      seen.push(...page.revocations.map((revocation) => revocation.sid));
      expect(page.has_more).toBe(false);
      // Committed before the read that said "done" was sent: it must have been served.
      expect(seen).toContain(early.sid);
      expect(new Set(seen).size).toBe(6);
    } finally {
      client.release();
    }
  });

  it('pages through one transaction that ended many sessions, without loss or repeat', async () => {
    const username = uniqueUsername();
    const first = await registerAndLogin(context.auth.url, username);
    for (let index = 0; index < 4; index += 1)
      await request(`${context.auth.url}/login`, { body: { username, password: GOOD_PASSWORD } });
    const start = (await feed()).body.cursor;
    await logout(first.token, '?scope=all');
    const seen: string[] = [];
    let cursor = start;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await revocationFeedPage(context.auth.pool, cursor, 3600, 2);
      seen.push(...page.revocations.map((revocation) => revocation.sid));
      cursor = page.cursor;
      if (!page.has_more) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});

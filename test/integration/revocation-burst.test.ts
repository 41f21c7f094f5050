import { randomInt } from 'node:crypto';
import { createAccessTokenIssuer } from '@authpair/auth';
import { Client } from 'pg';
import { bearer, claimsOf, eventually, registerAndLogin, request } from '../support/http';
import { authConfig, TEST_FEED_TOKEN, useServices } from '../support/services';

/**
 * A burst of revocations: `logout?scope=all` over 100,000 sessions of one
 * user. Every resource replica must take them all in within its lag budget
 * (REVOCATION_MAX_LAG_MS), without ever turning unready, which would answer
 * 503 to every user of the replica, not just this one.
 *
 * The sessions are seeded with SQL, as the API caps them per user
 * (SESSION_MAX_PER_USER); the cap is what keeps a real user from getting
 * here, an administrator ending many users' sessions is what still can.
 * The figures it prints (the logout, the catch-up, the feed's cost per
 * page, a poll with a transaction open) are for the report, not asserted.
 *
 * The reader asks for the feed's largest pages (`?limit=5000`) and reads a
 * backlog on at once: pages of 1000 with a poll interval's pause every 20
 * needed five polls and more, past the budget.
 */

const SEEDED = 100_000;
const MAX_LAG_MS = 10_000; // REVOCATION_MAX_LAG_MS default

const context = useServices({
  // Ending 100,000 sessions, with their tokens and audit events, is one statement.
  auth: { DB_STATEMENT_TIMEOUT_MS: '300000' },
});

/** A resource service with default settings, and the feed URLs its reader asked for. */
async function watchedResource() {
  const asked: URL[] = [];
  const resource = await context.startResource(
    {},
    {
      fetch: (input, init) => {
        asked.push(new URL(String(input)));
        return fetch(input, init);
      },
    },
  );
  return { resource, asked };
}

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: context.db.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function seedSessions(userId: string, count: number): Promise<string[]> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `WITH seeded AS (
         INSERT INTO sessions (user_id, expires_at)
         SELECT $1, now() + interval '1 day' FROM generate_series(1, $2)
         RETURNING id
       ), tokens AS (
         INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
         SELECT id, sha256(convert_to(id::text, 'UTF8')), now() + interval '1 day' FROM seeded
       )
       SELECT id FROM seeded`,
      [userId, count],
    );
    return rows.map((row) => row.id);
  });
}

const feed = (since?: string) =>
  request(
    `${context.auth.url}/internal/revocations${since === undefined ? '' : `?since=${encodeURIComponent(since)}`}`,
    { headers: bearer(TEST_FEED_TOKEN) },
  );

let resourceUrl = '';
const protectedCall = (token: string) =>
  request(`${resourceUrl}/protected`, { headers: bearer(token) });

describe('a burst of 100,000 revocations', () => {
  it('reaches the resource service within REVOCATION_MAX_LAG_MS, which stays ready throughout', async () => {
    const { resource, asked } = await watchedResource();
    resourceUrl = resource.url;
    const pageSizes = asked
      .filter((url) => url.pathname.endsWith('/internal/revocations'))
      .map((url) => Number(url.searchParams.get('limit') ?? 1000));
    expect(new Set(pageSizes)).toEqual(new Set([5000]));
    const user = await registerAndLogin(context.auth.url);
    const seeded = await seedSessions(user.id, SEEDED);
    // All end in one transaction, published in session-id order: the greatest comes last.
    const lastRevoked = [...seeded, claimsOf(user.token).sid as string].sort().at(-1) as string;
    const anyRevoked = seeded[randomInt(seeded.length)] as string;
    const issuer = createAccessTokenIssuer(authConfig(context.db.url).tokens, context.auth.keys);
    const tokenOf = async (sessionId: string) =>
      (
        await issuer.issue({
          userId: user.id,
          username: user.username,
          sessionId,
          scope: 'profile',
        })
      ).token;
    const tokens = [await tokenOf(lastRevoked), await tokenOf(anyRevoked)];
    for (const token of tokens) expect((await protectedCall(token)).status).toBe(200);
    const before = (await feed()).body.cursor as string;

    const unready: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const ready = await request(`${resourceUrl}/readyz`);
        if (ready.status !== 200) unready.push(ready.status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    let loggedOutAt = 0;
    let refusedAfter = Number.POSITIVE_INFINITY;
    try {
      const startedAt = Date.now();
      const logout = await request(`${context.auth.url}/logout?scope=all`, {
        method: 'POST',
        headers: bearer(user.token),
      });
      expect(logout.status).toBe(204);
      loggedOutAt = Date.now();
      // Waited for past the budget, so a failure still says how long the catch-up took.
      for (const token of tokens)
        await eventually(
          () => protectedCall(token),
          (response) => response.status === 401,
          {
            timeoutMs: 6 * MAX_LAG_MS,
            intervalMs: 100,
            what: 'a token of an ended session being refused',
          },
        );
      refusedAfter = Date.now() - loggedOutAt;
      console.info(
        `logout of ${SEEDED + 1} sessions took ${loggedOutAt - startedAt} ms; the resource ` +
          `service refused their tokens ${refusedAfter} ms after it; unready answers: ${unready.length}`,
      );
    } finally {
      watching = false;
      await watch;
    }
    // The feed's side, measured: the whole burst read again from before it, page by page…
    const readStart = Date.now();
    let cursor = before;
    let pages = 0;
    let sent = 0;
    for (;;) {
      const page = await feed(cursor);
      pages += 1;
      sent += page.body.revocations.length;
      cursor = page.body.cursor;
      if (!page.body.has_more) break;
    }
    expect(sent).toBeGreaterThanOrEqual(SEEDED + 1);
    const readMs = Date.now() - readStart;
    // …and a poll with a write transaction open, which sends nothing again.
    const polled = await withClient(async (client) => {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      const pollStart = performance.now();
      const page = await feed(cursor);
      const ms = performance.now() - pollStart;
      await client.query('ROLLBACK');
      return { ms, sent: page.body.revocations.length };
    });
    expect(polled.sent).toBe(0);
    console.info(
      `feed: ${sent} revocations in ${pages} pages in ${readMs} ms ` +
        `(${(readMs / pages).toFixed(1)} ms a page); a poll with a transaction open: ` +
        `${polled.ms.toFixed(1)} ms, ${polled.sent} sent`,
    );
    expect(refusedAfter).toBeLessThanOrEqual(MAX_LAG_MS);
    expect(unready).toEqual([]);
  }, 600_000);
});

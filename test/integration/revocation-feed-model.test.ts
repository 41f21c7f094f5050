import { randomInt } from 'node:crypto';
import { Pool } from 'pg';
import { SERVICE_AUDIT } from '../../services/auth/src/audit/audit-log';
import { revocationFeedPage } from '../../services/auth/src/sessions/revocation-feed';
import { createSessionQueries } from '../../services/auth/src/sessions/session-queries';
import { claimsOf, registerAndLogin } from '../support/http';
import { useServices } from '../support/services';

// The feed's promise, checked against a model rather than a scenario: once a
// read answers `has_more: false`, the reader has been sent every revocation
// whose transaction had committed before that read was sent. Writers end
// sessions in transactions that take their id early or late, stay open for
// a while, overlap by the dozen (so the cursor's snapshots must be narrowed
// to fit 128 characters) and sometimes roll back; the reader asks for tiny
// pages, so reads span pages while all this commits under them. Forty
// writers: with fewer, the snapshots rarely need narrowing. Seen to fail
// when the feed ignores the reader's running ids, when a multi-page scan
// ends with has_more: false, and when narrowing keeps xmax.

const context = useServices();

const WRITERS = 40;
const SESSIONS_PER_WRITER = 60;
const RUN_MS = 8000;
const WINDOW_SECONDS = 3600;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

it('sends every revocation committed before a read that says has_more: false, whatever runs meanwhile', async () => {
  const { token } = await registerAndLogin(context.auth.url);
  const userId = claimsOf(token).sub as string;
  const seeded = await context.auth.pool.query<{ id: string }>(
    `WITH seeded AS (
       INSERT INTO sessions (user_id, expires_at)
       SELECT $1, now() + interval '1 day' FROM generate_series(1, $2) RETURNING id
     ), tokens AS (
       INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
       SELECT id, sha256(convert_to(id::text, 'UTF8')), now() + interval '1 day' FROM seeded
     )
     SELECT id FROM seeded`,
    [userId, WRITERS * SESSIONS_PER_WRITER],
  );
  const ids = seeded.rows.map((row) => row.id);
  const writers = new Pool({ connectionString: context.db.url, max: WRITERS });

  /** sid -> order in which its revoking commit returned. */
  const committed = new Map<string, number>();
  let commits = 0;
  let stop = false;

  async function writer(own: string[]): Promise<void> {
    const pending = [...own];
    while (!stop && pending.length > 0) {
      const client = await writers.connect();
      try {
        await client.query('BEGIN');
        if (randomInt(2) === 0) await client.query('SELECT pg_current_xact_id()');
        await pause(randomInt(0, 300));
        const batch = pending.splice(0, randomInt(1, 6));
        await createSessionQueries(client).endSessions(
          { sessionIds: batch, userId },
          'logout',
          SERVICE_AUDIT,
        );
        await pause(randomInt(0, 300));
        if (randomInt(8) === 0) {
          await client.query('ROLLBACK');
          pending.push(...batch);
        } else {
          await client.query('COMMIT');
          commits += 1;
          for (const sid of batch) committed.set(sid, commits);
        }
      } finally {
        client.release();
      }
    }
  }

  const seen = new Set<string>();
  const violations: string[] = [];
  let complete = 0;

  async function reader(): Promise<void> {
    let cursor: string | undefined;
    while (!stop) {
      const before = commits;
      const page = await revocationFeedPage(
        context.auth.pool,
        cursor,
        WINDOW_SECONDS,
        randomInt(1, 8),
      );
      for (const { sid } of page.revocations) seen.add(sid);
      cursor = page.cursor;
      if (page.has_more) continue;
      complete += 1;
      for (const [sid, order] of committed)
        if (order <= before && !seen.has(sid))
          violations.push(`${sid} (commit ${order}, read after commit ${before})`);
    }
  }

  const owned = Array.from({ length: WRITERS }, (_, index) =>
    ids.slice(index * SESSIONS_PER_WRITER, (index + 1) * SESSIONS_PER_WRITER),
  );
  const reading = reader();
  const writing = Promise.all(owned.map((own) => writer(own)));
  try {
    await pause(RUN_MS);
  } finally {
    // Ended whatever happens: a writer's pool left open would see its idle
    // connections cut when the fixture drops the database, and that
    // unhandled error would hide the failure that left it open.
    stop = true;
    await Promise.allSettled([reading, writing]);
    await writers.end();
  }
  await Promise.all([reading, writing]);

  expect(violations.slice(0, 5)).toEqual([]);
  // The run exercised what it is about.
  expect(commits).toBeGreaterThan(50);
  expect(complete).toBeGreaterThan(3);
}, 60_000);

import {
  AuthpairError,
  REVOCATION_FEED_PAGE_SIZE,
  type RevocationFeedPage,
  type SessionEndReason,
} from '@authpair/contracts';
import type { Queryable } from '../db/pool';

/**
 * The feed of ended sessions that resource services poll.
 *
 * The cursor is a transaction id, not a sequence or a timestamp. A
 * `seq > cursor` poll loses rows: transaction A takes seq 10, B takes 11
 * and commits, a poll returns 11 and moves the cursor past 10, then A
 * commits; 10 is never seen. Here each ended session records the id of
 * the transaction that ended it (`revoked_xid`), and a page only reaches
 * up to the reading snapshot's `xmin`: every transaction below it has
 * finished, so no row can later appear behind the cursor. A revocation
 * committed while an older transaction is still open waits for that one
 * to end (transactions are bounded by the statement and idle timeouts).
 *
 * Pages are ordered by (xid, session id), so one transaction ending many
 * sessions (logout everywhere) can span pages without being cut.
 */

/** A position in the feed: everything up to and including (xid, sid) has been read. */
interface Cursor {
  xid: bigint;
  sid: string;
}

/** Below every real session id, so (xid, NIL) means "from xid on". */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const START: Cursor = { xid: 0n, sid: NIL_UUID };
const CURSOR_FORMAT =
  /^(\d{1,20})(?:\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))?$/;

/** A `since` that is not a cursor this feed handed out: 400 naming the field. */
export class InvalidCursorError extends AuthpairError<'validation_failed'> {
  constructor() {
    const reason = 'is not a cursor from this feed';
    super('validation_failed', `since: ${reason}`, { errors: [{ field: 'since', reason }] });
  }
}

export function parseCursor(value: string | undefined): Cursor {
  if (value === undefined) return START;
  const match = CURSOR_FORMAT.exec(value);
  if (match === null) throw new InvalidCursorError();
  return { xid: BigInt(match[1] as string), sid: match[2] ?? NIL_UUID };
}

export function formatCursor({ xid, sid }: Cursor): string {
  return sid === NIL_UUID ? String(xid) : `${xid}.${sid}`;
}

/** One row of the page query: the horizon, and a revocation unless the page is empty. */
interface FeedRow {
  horizon: string;
  sid: string | null;
  revoked_at: Date | null;
  reason: SessionEndReason | null;
  xid: string | null;
}

interface Revocation {
  sid: string;
  revokedAt: Date;
  reason: SessionEndReason;
  xid: bigint;
}

function revocationOf({ sid, revoked_at, reason, xid }: FeedRow): Revocation[] {
  return sid === null || revoked_at === null || reason === null || xid === null
    ? []
    : [{ sid, revokedAt: revoked_at, reason, xid: BigInt(xid) }];
}

async function readPage(
  db: Queryable,
  after: Cursor,
  windowSeconds: number,
  limit: number,
): Promise<{ horizon: bigint; rows: Revocation[] }> {
  // One statement, so the horizon and the rows come from the same snapshot.
  const { rows } = await db.query<FeedRow>(
    `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
     SELECT horizon.xmin::text AS horizon, r.id AS sid, r.revoked_at, r.revoked_reason AS reason,
            r.revoked_xid::text AS xid
       FROM horizon LEFT JOIN LATERAL (
         SELECT s.id, s.revoked_at, s.revoked_reason, s.revoked_xid
           FROM sessions s
          WHERE s.revoked_xid IS NOT NULL
            AND (s.revoked_xid, s.id) > ($1::xid8, $2::uuid)
            AND s.revoked_xid < horizon.xmin
            AND s.revoked_at > now() - make_interval(secs => $3)
          ORDER BY s.revoked_xid, s.id
          LIMIT $4
       ) r ON true`,
    [after.xid.toString(), after.sid, windowSeconds, limit],
  );
  const horizon = BigInt(rows[0]?.horizon ?? '0');
  return { horizon, rows: rows.flatMap(revocationOf) };
}

/**
 * One page of sessions ended within the last `windowSeconds` (the access
 * tokens' lifetime plus a margin: older revocations concern only expired
 * tokens), after `since`.
 */
export async function revocationFeedPage(
  db: Queryable,
  since: string | undefined,
  windowSeconds: number,
  limit = REVOCATION_FEED_PAGE_SIZE,
): Promise<RevocationFeedPage> {
  let after = parseCursor(since);
  let page = await readPage(db, after, windowSeconds, limit);
  if (after.xid > page.horizon) {
    // A cursor from the future: the database was restored or replaced. Start over
    // rather than wait, possibly forever, for the transaction counter to catch up.
    after = START;
    page = await readPage(db, after, windowSeconds, limit);
  }
  const full = page.rows.length === limit;
  const last = page.rows.at(-1);
  const cursor =
    full && last !== undefined
      ? { xid: last.xid, sid: last.sid }
      : { xid: page.horizon, sid: NIL_UUID };
  return {
    revocations: page.rows.map(({ sid, revokedAt, reason }) => ({
      sid,
      revoked_at: revokedAt.toISOString(),
      reason,
    })),
    cursor: formatCursor(cursor),
    has_more: full,
  };
}

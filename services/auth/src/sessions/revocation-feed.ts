import { REVOCATION_FEED_PAGE_SIZE, type RevocationFeedPage } from '@authpair/contracts';
import type { Pool } from 'pg';
import type { Queryable } from '../db/pool';
import {
  type Cursor,
  type Epoch,
  formatCursor,
  type Position,
  parseCursor,
  type Snapshot,
  snapshotFromText,
} from './revocation-cursor';

export { InvalidCursorError } from './revocation-cursor';

/**
 * The feed of ended sessions that resource services poll.
 *
 * Each ended session records the id of the transaction that ended it
 * (`revoked_xid`). A sequence or a timestamp would lose rows: transaction A
 * takes 10, B takes 11 and commits, a reader moves past 11, then A commits,
 * unseen forever. Transaction ids do not help by themselves either, and
 * the cure, publishing only below the reading snapshot's `xmin`, costs more
 * than the disease: one write transaction open anywhere on the server (an
 * operator's psql, another application, a migration) holds `xmin` back and
 * freezes revocation while every reader believes it is current.
 *
 * So the cursor carries the snapshot the reader was served under
 * (`pg_snapshot`: ids below xmin had ended, the `xip` ids were running,
 * ids from xmax on had not begun). Every revocation committed since is one
 * whose id was running then or had not begun, and that is exactly what the
 * next read returns: every committed revocation the reader lacks, at once,
 * whatever is still open. An open transaction now costs an index probe per
 * poll, not a delay. Reads go by (xid, session id), so one transaction
 * ending many sessions (logout everywhere) can span pages; a read over
 * several pages is a scan whose first snapshot becomes the reader's once its
 * last page is served, and is followed by another scan for what committed
 * meanwhile, until one fits a page. See revocation-cursor.ts for the
 * database identity that makes a cursor from before a failover start over.
 */

/** The page query's one row: the state, and the page as the feed sends it. */
interface PageRow {
  snapshot: string;
  system_id: string;
  wal_file: string;
  /** The page's last position, [xid, sid]; null when it is empty. */
  last: [string, string] | null;
  count: number;
  revocations: RevocationFeedPage['revocations'];
}

interface Page {
  epoch: Epoch;
  /** The snapshot the page was read under. */
  snapshot: Snapshot;
  revocations: RevocationFeedPage['revocations'];
  count: number;
  last: Position | undefined;
}

/** What one read asks for. */
interface Range {
  /** The running ids of the reader's snapshot: their revocations are new to it. */
  running: readonly bigint[];
  /** Revocations after this position, among those with an id at or above `from`. */
  after: Position;
  /** The start of the id range; `window`: the oldest revocation in the window (a new reader). */
  from: bigint | 'window';
  /**
   * Whether only revocations within the window are wanted: for a reader
   * starting over. A reader with a snapshot gets every revocation committed
   * since, whatever its `revoked_at` (the start of its transaction, which
   * may be older than the window when the transaction ran long).
   */
  windowed: boolean;
}

/** Below every real session id, so (xid, NIL) means "from xid on". */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const BIGINT_SPAN = 2n ** 64n;

function later(a: Position, b: Position): Position {
  return a.xid > b.xid || (a.xid === b.xid && a.sid > b.sid) ? a : b;
}

/**
 * One page, in one statement so that the rows, the snapshot and the
 * database's identity agree. Two index range reads on (revoked_xid, id),
 * merged: the ids running in the reader's snapshot (a probe each), and the
 * ids from its xmax on. For a new reader, the window (`revoked_at`) is a
 * filter, and its first page starts at the window's oldest revocation.
 */
async function readPage(
  db: Queryable,
  range: Range,
  windowSeconds: number,
  limit: number,
): Promise<Page> {
  const inWindow = '($8 OR s.revoked_at > now() - make_interval(secs => $5))';
  // OFFSET 0 keeps the planner from answering min() by walking the feed index from its
  // first entry, every revocation still retained, past all those outside the window.
  const from =
    range.from === 'window'
      ? `GREATEST((SELECT min(w.revoked_xid) FROM (
           SELECT revoked_xid FROM sessions
            WHERE revoked_at > now() - make_interval(secs => $5) OFFSET 0) w), $3::xid8)`
      : '$3::xid8';
  const start =
    range.from === 'window' ? range.after : later({ xid: range.from, sid: NIL_UUID }, range.after);
  const columns = 's.revoked_xid, s.id, s.revoked_at, s.revoked_reason';
  // The page is built as JSON by PostgreSQL, in the feed's own shape: parsing thousands of
  // rows into objects in node-postgres cost ten times the index read.
  const { rows } = await db.query<PageRow>(
    `WITH page AS MATERIALIZED (
       SELECT * FROM (
         (SELECT ${columns} FROM sessions s
           WHERE s.revoked_xid = ANY ($1::xid8[])
             AND (s.revoked_xid, s.id) > ($2::xid8, $4::uuid) AND ${inWindow}
           ORDER BY s.revoked_xid, s.id LIMIT $6)
         UNION ALL
         (SELECT ${columns} FROM sessions s
           WHERE s.revoked_xid IS NOT NULL
             AND (s.revoked_xid, s.id) > (${from}, $7::uuid) AND ${inWindow}
           ORDER BY s.revoked_xid, s.id LIMIT $6)
       ) merged
       ORDER BY revoked_xid, id LIMIT $6
     )
     SELECT pg_current_snapshot()::text AS snapshot,
            (SELECT system_identifier FROM pg_control_system())::text AS system_id,
            pg_walfile_name(pg_current_wal_lsn()) AS wal_file,
            (SELECT count(*)::int FROM page) AS count,
            (SELECT json_build_array(p.revoked_xid::text, p.id) FROM page p
              ORDER BY p.revoked_xid DESC, p.id DESC LIMIT 1) AS last,
            (SELECT COALESCE(json_agg(json_build_object(
                      'sid', p.id,
                      'revoked_at', to_char(p.revoked_at AT TIME ZONE 'UTC',
                                            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                      'reason', p.revoked_reason) ORDER BY p.revoked_xid, p.id), '[]'::json)
               FROM page p) AS revocations`,
    [
      range.running.map(String),
      range.after.xid.toString(),
      start.xid.toString(),
      range.after.sid,
      windowSeconds,
      limit,
      start.sid,
      !range.windowed,
    ],
  );
  const row = rows[0] as PageRow;
  const systemId = BigInt(row.system_id);
  return {
    // system_identifier is unsigned, shown as a signed bigint.
    epoch: {
      systemId: systemId < 0n ? systemId + BIGINT_SPAN : systemId,
      // The WAL file name begins with the timeline the server writes on: right after a
      // promotion, unlike pg_control_checkpoint(), which waits for the next checkpoint.
      timeline: Number.parseInt(row.wal_file.slice(0, 8), 16),
    },
    snapshot: snapshotFromText(row.snapshot),
    revocations: row.revocations,
    count: row.count,
    last: row.last === null ? undefined : { xid: BigInt(row.last[0]), sid: row.last[1] },
  };
}

/** What a cursor asks the database for. */
function rangeOf(cursor: Cursor): Range {
  const after = (cursor.kind === 'cursor' ? cursor.scan?.after : undefined) ?? {
    xid: 0n,
    sid: NIL_UUID,
  };
  if (cursor.kind === 'start' || cursor.delivered === undefined) {
    const first = cursor.kind === 'start' || cursor.scan === undefined;
    return { running: [], after, from: first ? 'window' : 0n, windowed: true };
  }
  const { delivered } = cursor;
  return { running: delivered.xip, after, from: delivered.xmax, windowed: false };
}

/** Whether the cursor can be served by the database as it is now. */
function placeable(cursor: Cursor, page: Page): boolean {
  if (cursor.kind === 'start') return true;
  const { epoch, delivered, scan } = cursor;
  if (epoch.systemId !== page.epoch.systemId || epoch.timeline !== page.epoch.timeline)
    return false;
  // Same database, but its counter is behind the cursor: restored in place from a copy.
  const next = page.snapshot.xmax;
  return (delivered?.xmax ?? 0n) <= next && (scan?.snapshot.xmax ?? 0n) <= next;
}

/**
 * One page of sessions ended within the last `windowSeconds` (the access
 * tokens' lifetime plus a margin: older revocations concern only expired
 * tokens) that the holder of `since` has not been given.
 */
export async function revocationFeedPage(
  db: Queryable,
  since: string | undefined,
  windowSeconds: number,
  limit = REVOCATION_FEED_PAGE_SIZE,
): Promise<RevocationFeedPage> {
  let cursor = parseCursor(since);
  let page = await readPage(db, rangeOf(cursor), windowSeconds, limit);
  if (!placeable(cursor, page)) {
    // Another database (a failover, a restore): its ids mean nothing here. Start over,
    // sending the window again, rather than skip what this one committed under them.
    cursor = { kind: 'start' };
    page = await readPage(db, rangeOf(cursor), windowSeconds, limit);
  }
  const delivered = cursor.kind === 'cursor' ? cursor.delivered : undefined;
  const scan = cursor.kind === 'cursor' ? cursor.scan : undefined;
  const full = page.count === limit;
  const { last } = page;
  const next =
    full && last !== undefined
      ? { delivered, scan: { snapshot: scan?.snapshot ?? page.snapshot, after: last } }
      : { delivered: scan?.snapshot ?? page.snapshot, scan: undefined };
  return {
    revocations: page.revocations,
    cursor: formatCursor({ kind: 'cursor', epoch: page.epoch, ...next }),
    // A scan over several pages has only served what its first snapshot saw, and what
    // committed since behind its position is still to come: one more scan, from that
    // snapshot. The feed is done only after a scan of one page, whose snapshot is taken
    // by the very request it answers, so `has_more: false` means that everything committed
    // before that request was sent has been served: what a reader's freshness rests on.
    has_more: full || scan !== undefined,
  };
}

/** The feed as a service: what `GET /internal/revocations` serves. */
export interface RevocationFeed {
  /** One page after `since` (absent: from the start of the window), of at most `limit` revocations. */
  page(since: string | undefined, limit?: number): Promise<RevocationFeedPage>;
}

export interface RevocationFeedDeps {
  pool: Pool;
  /** How far back the feed reaches, seconds: the access tokens' lifetime plus a margin. */
  windowSeconds: number;
}

export function createRevocationFeed({ pool, windowSeconds }: RevocationFeedDeps): RevocationFeed {
  return {
    page: (since, limit) => revocationFeedPage(pool, since, windowSeconds, limit),
  };
}

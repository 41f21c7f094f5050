import { AuthpairError } from '@authpair/contracts';

/**
 * The revocation feed's cursor: what a reader has been given, in terms the
 * database can check. Readers treat it as opaque and echo it as `since`;
 * the feed's contract caps it at 128 characters.
 *
 * - `epoch`: the database it was issued by, its system identifier and WAL
 *   timeline. A promoted replica keeps the identifier but starts a new
 *   timeline, and hands out again the transaction ids its old primary used
 *   for whatever it never replicated; a cursor of another epoch is therefore
 *   meaningless, and the reader starts over from the window.
 * - `delivered`: a snapshot (PostgreSQL's `pg_snapshot`) every revocation
 *   visible in which the reader has been given. Absent: nothing yet.
 * - `scan`: a read in progress over several pages: the snapshot of its
 *   first page, which becomes `delivered` when the scan ends, and the last
 *   position (transaction id, session id) it handed out.
 */

/** A pg_snapshot: ids below `xmin` had ended, `xip` were running, from `xmax` on had not begun. */
export interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  /** Ascending, each in [xmin, xmax). */
  xip: readonly bigint[];
}

/** A position in the feed's order: (id of the ending transaction, session id). */
export interface Position {
  xid: bigint;
  sid: string;
}

/** Which database: its system identifier and timeline. */
export interface Epoch {
  systemId: bigint;
  timeline: number;
}

export type Cursor =
  /** No cursor, or one this feed cannot place (another epoch, an older format): the whole window. */
  | { kind: 'start' }
  | {
      kind: 'cursor';
      epoch: Epoch;
      delivered: Snapshot | undefined;
      scan: { snapshot: Snapshot; after: Position } | undefined;
    };

/** The feed contract's limit on a cursor's length. */
export const MAX_CURSOR_LENGTH = 128;

const MAX_XID8 = 2n ** 64n - 1n;
const MAX_TIMELINE = 2n ** 32n - 1n;
const VERSION = '2';
const B36 = '[0-9a-z]{1,13}';
const SNAPSHOT = `${B36}-${B36}-(?:${B36}(?:_${B36})*)?`;
const FORMAT = new RegExp(
  `^${VERSION}\\.(${B36})\\.(${B36})\\.(${SNAPSHOT})?(?:\\.(${SNAPSHOT})\\.(${B36})\\.([0-9a-f]{32}))?$`,
);
/** The first format: a transaction id, optionally `.` and a session id. Read as "start over". */
const LEGACY_FORMAT =
  /^(\d{1,20})(?:\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/;

/** A `since` that is not a cursor this feed handed out: 400 naming the field. */
export class InvalidCursorError extends AuthpairError<'validation_failed'> {
  constructor() {
    const reason = 'is not a cursor from this feed';
    super('validation_failed', `since: ${reason}`, { errors: [{ field: 'since', reason }] });
  }
}

function base36(value: bigint): string {
  return value.toString(36);
}

/** Parses base 36 digits (already matched by the format) and checks the upper bound. */
function fromBase36(digits: string, max: bigint): bigint {
  let value = 0n;
  for (const digit of digits) value = value * 36n + BigInt(Number.parseInt(digit, 36));
  if (value > max) throw new InvalidCursorError();
  return value;
}

function formatSnapshot({ xmin, xmax, xip }: Snapshot): string {
  return `${base36(xmin)}-${base36(xmax - xmin)}-${xip.map((xid) => base36(xid - xmin)).join('_')}`;
}

/** The checks pg_snapshot's input function makes, so a bad one is a 400, never a 500. */
function parseSnapshot(text: string): Snapshot {
  const [min = '', span = '', running = ''] = text.split('-');
  const xmin = fromBase36(min, MAX_XID8);
  const xmax = xmin + fromBase36(span, MAX_XID8);
  const xip =
    running === '' ? [] : running.split('_').map((delta) => xmin + fromBase36(delta, MAX_XID8));
  if (xmin === 0n || xmax > MAX_XID8) throw new InvalidCursorError();
  xip.forEach((xid, index) => {
    if (xid >= xmax || (index > 0 && xid <= (xip[index - 1] as bigint)))
      throw new InvalidCursorError();
  });
  return { xmin, xmax, xip };
}

/** pg_snapshot's text form (`xmin:xmax:xip,…`), as pg_current_snapshot() returns it. */
export function snapshotFromText(text: string): Snapshot {
  const [xmin = '0', xmax = '0', running = ''] = text.split(':');
  return {
    xmin: BigInt(xmin),
    xmax: BigInt(xmax),
    xip: running === '' ? [] : running.split(',').map((xid) => BigInt(xid)),
  };
}

export function snapshotToText({ xmin, xmax, xip }: Snapshot): string {
  return `${xmin}:${xmax}:${xip.join(',')}`;
}

/**
 * The same snapshot with only its first `keep` running ids: xmax moves down
 * to the first one dropped. Every id it calls visible the original did too,
 * so a reader holding it is sent some revocations again, never fewer.
 */
export function narrowSnapshot(snapshot: Snapshot, keep: number): Snapshot {
  const first = snapshot.xip[keep];
  if (first === undefined) return snapshot;
  return { xmin: snapshot.xmin, xmax: first, xip: snapshot.xip.slice(0, keep) };
}

export function parseCursor(value: string | undefined): Cursor {
  if (value === undefined) return { kind: 'start' };
  const legacy = LEGACY_FORMAT.exec(value);
  if (legacy !== null) {
    if (BigInt(legacy[1] as string) > MAX_XID8) throw new InvalidCursorError();
    return { kind: 'start' };
  }
  const match = FORMAT.exec(value);
  if (match === null) throw new InvalidCursorError();
  const [, systemId, timeline, delivered, scanSnapshot, afterXid, afterSid] = match;
  const sid = afterSid?.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  return {
    kind: 'cursor',
    epoch: {
      systemId: fromBase36(systemId as string, MAX_XID8),
      timeline: Number(fromBase36(timeline as string, MAX_TIMELINE)),
    },
    delivered: delivered === undefined ? undefined : parseSnapshot(delivered),
    scan:
      scanSnapshot === undefined || afterXid === undefined || sid === undefined
        ? undefined
        : {
            snapshot: parseSnapshot(scanSnapshot),
            after: { xid: fromBase36(afterXid, MAX_XID8), sid },
          },
  };
}

function render(cursor: Extract<Cursor, { kind: 'cursor' }>): string {
  const { epoch, delivered, scan } = cursor;
  const head = `${VERSION}.${base36(epoch.systemId)}.${base36(BigInt(epoch.timeline))}.${
    delivered === undefined ? '' : formatSnapshot(delivered)
  }`;
  if (scan === undefined) return head;
  const sid = scan.after.sid.replaceAll('-', '');
  return `${head}.${formatSnapshot(scan.snapshot)}.${base36(scan.after.xid)}.${sid}`;
}

/**
 * The cursor as text of at most MAX_CURSOR_LENGTH characters: when many
 * transactions were running, its snapshots are narrowed (see
 * narrowSnapshot) until it fits, which costs a reader some repeats.
 */
export function formatCursor(cursor: Extract<Cursor, { kind: 'cursor' }>): string {
  let current = cursor;
  for (;;) {
    const text = render(current);
    const { delivered, scan } = current;
    const deliveredRunning = delivered?.xip.length ?? 0;
    const scanRunning = scan?.snapshot.xip.length ?? 0;
    // Without running ids it fits: 128 characters with every id at 2^64 - 1.
    if (text.length <= MAX_CURSOR_LENGTH || deliveredRunning + scanRunning === 0) return text;
    if (delivered !== undefined && deliveredRunning >= scanRunning)
      current = { ...current, delivered: narrowSnapshot(delivered, deliveredRunning >> 1) };
    else if (scan !== undefined)
      current = {
        ...current,
        scan: { ...scan, snapshot: narrowSnapshot(scan.snapshot, scanRunning >> 1) },
      };
  }
}

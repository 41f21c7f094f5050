import {
  type Cursor,
  formatCursor,
  InvalidCursorError,
  MAX_CURSOR_LENGTH,
  narrowSnapshot,
  parseCursor,
  type Snapshot,
  snapshotFromText,
} from '../../../services/auth/src/sessions/revocation-cursor';

type Issued = Extract<Cursor, { kind: 'cursor' }>;

const epoch = { systemId: 7_314_069_218_334_982_123n, timeline: 2 };
const snapshot = (text: string): Snapshot => snapshotFromText(text);
const SID = '6f1c2d3e-0000-4000-8000-000000000001';

describe('revocation feed cursor', () => {
  it('round-trips what the feed hands out: epoch, delivered snapshot, scan in progress', () => {
    const cursors: Issued[] = [
      { kind: 'cursor', epoch, delivered: undefined, scan: undefined },
      { kind: 'cursor', epoch, delivered: snapshot('734:734:'), scan: undefined },
      { kind: 'cursor', epoch, delivered: snapshot('700:760:700,733,759'), scan: undefined },
      {
        kind: 'cursor',
        epoch,
        delivered: snapshot('700:760:700'),
        scan: { snapshot: snapshot('700:790:700,781'), after: { xid: 781n, sid: SID } },
      },
      {
        kind: 'cursor',
        epoch: { systemId: 2n ** 64n - 1n, timeline: 2 ** 32 - 1 },
        delivered: undefined,
        scan: { snapshot: snapshot('3:3:'), after: { xid: 3n, sid: SID } },
      },
    ];
    for (const cursor of cursors) {
      const text = formatCursor(cursor);
      expect(text.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
      expect(parseCursor(text)).toEqual(cursor);
    }
  });

  it('starts at the beginning without one, and over from a cursor of the first format', () => {
    expect(parseCursor(undefined)).toEqual({ kind: 'start' });
    for (const legacy of ['0', '734', '18446744073709551615', `42.${SID}`])
      expect(parseCursor(legacy)).toEqual({ kind: 'start' });
  });

  it('refuses a since beyond the largest transaction id (2^64 - 1) before it reaches SQL', () => {
    for (const beyond of ['18446744073709551616', '99999999999999999999'])
      expect(() => parseCursor(beyond)).toThrow(InvalidCursorError);
    // 2^64 in base 36, as the delivered snapshot's xmin, and as the timeline past 2^32 - 1.
    expect(() => parseCursor('2.1.2.3w5e11264sgsg-0-')).toThrow(InvalidCursorError);
    expect(() => parseCursor('2.1.1z141z4.k-0-')).toThrow(InvalidCursorError);
  });

  it('refuses anything else, including snapshots PostgreSQL would not parse', () => {
    for (const bad of [
      '',
      'abc',
      '-1',
      '1.2',
      '1 OR 1=1',
      '123456789012345678901',
      `1.${SID.toUpperCase()}`,
      '2.1.2.0-0-', // xmin 0 is no transaction id
      '2.1.2.k-5-5', // a running id at xmax
      '2.1.2.k-5-2_1', // running ids out of order
      '2.1.2.k-5-2_2',
      '2.1.2.k-5-.k-5-.k', // a scan without its position
      `2.1.2.k-5-.k-5-.k.${'0'.repeat(31)}`,
      "2.1.2.k-5-' OR 1=1",
    ])
      expect(() => parseCursor(bad)).toThrow(InvalidCursorError);
  });

  it('narrows its snapshots to fit the contract, so a reader gets repeats, never gaps', () => {
    const running = Array.from({ length: 80 }, (_, index) => 1000n + BigInt(index) * 7n);
    const wide = { xmin: 1000n, xmax: 2000n, xip: running };
    const text = formatCursor({
      kind: 'cursor',
      epoch,
      delivered: wide,
      scan: { snapshot: { ...wide, xmax: 2100n }, after: { xid: 1999n, sid: SID } },
    });
    expect(text.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    const parsed = parseCursor(text) as Issued;
    const narrowed = parsed.delivered as Snapshot;
    // Whatever the narrowed snapshot calls visible (committed, delivered), the wide one did too.
    const visible = (s: Snapshot, xid: bigint) => xid < s.xmax && !s.xip.includes(xid);
    for (let xid = 990n; xid < 2010n; xid += 1n)
      if (visible(narrowed, xid)) expect(visible(wide, xid)).toBe(true);
    expect(narrowSnapshot(wide, 2)).toEqual({ xmin: 1000n, xmax: 1014n, xip: [1000n, 1007n] });
  });
});

import {
  decideRefresh,
  type RefreshState,
} from '../../../services/auth/src/sessions/rotation-policy';

const t = (seconds: number) => new Date(Date.UTC(2030, 0, 1) + seconds * 1000);

/** A live token, 10 s after login, in a session with an hour left; grace window 5 s. */
function state(overrides: Partial<RefreshState> = {}): RefreshState {
  return {
    now: t(10),
    graceSeconds: 5,
    session: { expiresAt: t(3600), revokedAt: null },
    token: { expiresAt: t(600), usedAt: null, revokedAt: null },
    child: null,
    ...overrides,
  };
}

const spent = (usedAt: number) => ({ expiresAt: t(600), usedAt: t(usedAt), revokedAt: null });
const unusedChild = { usedAt: null, revokedAt: null, derivable: true };

describe('refresh decision', () => {
  it('rotates a live token', () => {
    expect(decideRefresh(state())).toEqual({ kind: 'rotate' });
  });

  it('refuses any token of an ended session, spent or not', () => {
    const ended = { expiresAt: t(3600), revokedAt: t(5) };
    expect(decideRefresh(state({ session: ended }))).toEqual({ kind: 'revoked' });
    expect(decideRefresh(state({ session: ended, token: spent(1) }))).toEqual({ kind: 'revoked' });
  });

  it('refuses a token past its inactivity expiry, or in a session past its absolute end', () => {
    expect(
      decideRefresh(state({ token: { expiresAt: t(10), usedAt: null, revokedAt: null } })),
    ).toEqual({ kind: 'expired' });
    expect(decideRefresh(state({ session: { expiresAt: t(9), revokedAt: null } }))).toEqual({
      kind: 'expired',
    });
  });

  it('retries within the window while the child is unused, handing back that child', () => {
    expect(decideRefresh(state({ token: spent(6), child: unusedChild }))).toEqual({
      kind: 'retry',
    });
  });

  it('calls it reuse when the token no longer derives its child (REFRESH_TOKEN_SECRET changed)', () => {
    const changed = { ...unusedChild, derivable: false };
    expect(decideRefresh(state({ token: spent(6), child: changed })).kind).toBe('reuse');
  });

  it('measures the window from the first use, to the millisecond', () => {
    expect(decideRefresh(state({ token: spent(5), child: unusedChild })).kind).toBe('reuse');
    const justInside = { ...spent(5), usedAt: new Date(t(5).getTime() + 1) };
    expect(decideRefresh(state({ token: justInside, child: unusedChild })).kind).toBe('retry');
  });

  it('calls it reuse once the child was used or revoked, or with the window off', () => {
    const usedChild = { usedAt: t(8), revokedAt: null, derivable: true };
    const revokedChild = { usedAt: null, revokedAt: t(8), derivable: true };
    expect(decideRefresh(state({ token: spent(9), child: usedChild })).kind).toBe('reuse');
    expect(decideRefresh(state({ token: spent(9), child: revokedChild })).kind).toBe('reuse');
    expect(
      decideRefresh(state({ graceSeconds: 0, token: spent(10), child: unusedChild })).kind,
    ).toBe('reuse');
  });

  it('calls a revoked token in a live session reuse (a stray copy)', () => {
    const superseded = { expiresAt: t(600), usedAt: null, revokedAt: t(9) };
    expect(decideRefresh(state({ token: superseded })).kind).toBe('reuse');
  });

  it('calls an expired spent token reuse: replaying an old token is evidence whatever its age', () => {
    const oldSpent = { expiresAt: t(1), usedAt: t(0), revokedAt: null };
    expect(decideRefresh(state({ token: oldSpent, child: unusedChild })).kind).toBe('reuse');
  });

  it('grants no retry in a session past its absolute end', () => {
    expect(
      decideRefresh(
        state({
          session: { expiresAt: t(9), revokedAt: null },
          token: spent(8),
          child: unusedChild,
        }),
      ).kind,
    ).toBe('reuse');
  });
});

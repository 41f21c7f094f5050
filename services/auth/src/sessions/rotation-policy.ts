/**
 * What to do with a presented refresh token, decided from the family's
 * state as read under the family lock. Pure, so every rule is unit-tested
 * on its own; `refresh.ts` applies the decision in the same transaction.
 *
 * The rules (RFC 9700 §4.14.2, with a grace window for lost responses):
 *
 * 1. The session has ended: refuse (`revoked`). Nothing else to do.
 * 2. The token was revoked while its session lives on: only a family's
 *    end revokes tokens, so this one is a stray copy. Revoke the family
 *    (`reuse`).
 * 3. The token is spent:
 *    - within `graceSeconds` of its first use, while its child is unused,
 *      the session has not expired and the child can be derived again
 *      from the token (refresh-token.ts): `retry`. The client evidently
 *      never received the child, or another tab of it is racing; it gets
 *      that same child, so whoever presents the token in the window ends
 *      up holding the one token the family has. Nothing is minted, so a
 *      retry can neither extend the window nor cut a racing tab off.
 *    - otherwise (the child has been used, the window has passed, or the
 *      secret changed since): revoke the family (`reuse`). Any use of a
 *      token after its child was used is reuse.
 * 4. The session or the token has expired: refuse (`expired`).
 * 5. Otherwise: `rotate`.
 *
 * Spent is checked before expiry on purpose: presenting an old, spent token
 * is evidence of theft whether or not it has expired since.
 */

export interface RefreshState {
  /** The database's clock at the time of the decision. */
  now: Date;
  graceSeconds: number;
  session: { expiresAt: Date; revokedAt: Date | null };
  token: { expiresAt: Date; usedAt: Date | null; revokedAt: Date | null };
  /** The token's child, when it has been spent; `derivable`: the token still derives it. */
  child: { usedAt: Date | null; revokedAt: Date | null; derivable: boolean } | null;
}

export type RefreshDecision =
  | { kind: 'rotate' }
  | { kind: 'retry' }
  | { kind: 'reuse' }
  | { kind: 'revoked' }
  | { kind: 'expired' };

export function decideRefresh({
  now,
  graceSeconds,
  session,
  token,
  child,
}: RefreshState): RefreshDecision {
  if (session.revokedAt !== null) return { kind: 'revoked' };
  if (token.revokedAt !== null) return { kind: 'reuse' };
  const sessionExpired = now >= session.expiresAt;
  if (token.usedAt !== null) {
    const windowEnd = token.usedAt.getTime() + graceSeconds * 1000;
    const childUnused = child !== null && child.usedAt === null && child.revokedAt === null;
    const inWindow = graceSeconds > 0 && now.getTime() < windowEnd && !sessionExpired;
    if (inWindow && childUnused && child.derivable) return { kind: 'retry' };
    return { kind: 'reuse' };
  }
  if (sessionExpired || now >= token.expiresAt) return { kind: 'expired' };
  return { kind: 'rotate' };
}

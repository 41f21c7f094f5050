/**
 * What to do with a presented refresh token, decided from the family's
 * state as read under the family lock. Pure, so every rule is unit-tested
 * on its own; `refresh.ts` applies the decision in the same transaction.
 *
 * The rules (RFC 9700 §4.14.2, with a grace window for lost responses):
 *
 * 1. The session has ended: refuse (`revoked`). Nothing else to do.
 * 2. The token was superseded (a grace retry replaced it while it was
 *    unused): it is a second copy of a rotation result, so a client and an
 *    attacker both hold the family. Revoke the family (`reuse`).
 * 3. The token is spent:
 *    - within `graceSeconds` of its first use, while its current child is
 *      still unused, and the session has not expired: `retry`. The client
 *      evidently never received the child; since only hashes are stored it
 *      cannot be sent again, so the child is revoked and a new child issued
 *      in its place. The family still has exactly one live token, and the
 *      window is measured from the first use, so retries never extend it.
 *    - otherwise: revoke the family (`reuse`).
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
  /** The token's current child, when it has been spent. */
  child: { id: string; usedAt: Date | null; revokedAt: Date | null } | null;
}

export type RefreshDecision =
  | { kind: 'rotate' }
  | { kind: 'retry'; supersede: string }
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
    if (graceSeconds > 0 && now.getTime() < windowEnd && childUnused && !sessionExpired)
      return { kind: 'retry', supersede: child.id };
    return { kind: 'reuse' };
  }
  if (sessionExpired || now >= token.expiresAt) return { kind: 'expired' };
  return { kind: 'rotate' };
}

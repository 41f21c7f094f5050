import { AuthpairError, WRONG_CURRENT_PASSWORD_REASON } from '@authpair/contracts';
import type { Pool } from 'pg';
import { type AuditContext, recordAudit } from '../audit/audit-log';
import { inTransaction, type Queryable } from '../db/pool';
import type { PasswordHasher } from './password-hasher';
import { createUserQueries } from './user-queries';

/** The current password given with a change is not the user's password. */
export class WrongCurrentPasswordError extends AuthpairError<'validation_failed'> {
  constructor() {
    const reason = WRONG_CURRENT_PASSWORD_REASON;
    super('validation_failed', `current_password: ${reason}`, {
      errors: [{ field: 'current_password', reason }],
    });
  }
}

export interface PasswordChangeDeps {
  pool: Pool;
  hasher: PasswordHasher;
  /** Ends every live session of the user but one, in the given transaction; returns how many. */
  endOtherSessions(
    db: Queryable,
    userId: string,
    keepSessionId: string,
    audit: AuditContext,
  ): Promise<number>;
}

export interface PasswordChange {
  userId: string;
  /** The session the change is made from; it stays. */
  sessionId: string;
  currentPassword: string;
  newPassword: string;
  audit: AuditContext;
}

/**
 * Changes a password and ends the user's other sessions (ASVS 7.4.3), in
 * one transaction: there is no moment when the new password is set and a
 * session opened with the old one still works. Both hashes are computed
 * before the transaction opens, so no row lock is held through bcrypt.
 */
export function createPasswordChanger({ pool, hasher, endOtherSessions }: PasswordChangeDeps) {
  return async function changePassword(change: PasswordChange): Promise<number> {
    const user = await createUserQueries(pool).findById(change.userId);
    if (user === undefined || !(await hasher.verify(change.currentPassword, user.password)))
      throw new WrongCurrentPasswordError();
    const replacement = await hasher.hash(change.newPassword);
    return inTransaction(pool, async (db) => {
      // A concurrent change got there first: the password just verified is no longer current.
      if (!(await createUserQueries(db).replacePasswordHash(user.id, user.password, replacement)))
        throw new WrongCurrentPasswordError();
      await recordAudit(db, change.audit, { type: 'password_changed', targetUserId: user.id });
      return endOtherSessions(db, user.id, change.sessionId, change.audit);
    });
  };
}

export type PasswordChanger = ReturnType<typeof createPasswordChanger>;

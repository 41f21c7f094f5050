import { AuthpairError } from '@authpair/contracts';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { type AuditContext, recordAudit } from '../audit/audit-log';
import type { PasswordHasher } from './password-hasher';
import { createUserQueries, type User } from './user-queries';
import { canonicalUsername, displayUsername } from './username';

/** Thrown by `authenticate` for an unknown user or a wrong password alike. */
export class InvalidCredentialsError extends AuthpairError<'invalid_credentials'> {
  constructor() {
    super('invalid_credentials');
  }
}

/**
 * Thrown when the account is disabled. `authenticate` throws it only after
 * the password matched, so it tells nothing to someone who does not know
 * the password; anyone else gets InvalidCredentialsError.
 */
export class AccountDisabledError extends AuthpairError<'account_disabled'> {
  constructor() {
    super('account_disabled', 'an administrator has disabled this account');
  }
}

export interface UserServiceDeps {
  pool: Pool;
  hasher: PasswordHasher;
  logger: Logger;
}

/** Registration and password login: the rules, not the HTTP. */
export function createUserService({ pool, hasher, logger }: UserServiceDeps) {
  const users = createUserQueries(pool);
  /** Every failed attempt leaves one row, unknown users included, so both cost the same. */
  const failed = (audit: AuditContext, reason: string, userId: string | null = null) =>
    recordAudit(pool, audit, { type: 'login_failed', targetUserId: userId, detail: { reason } });

  return {
    /**
     * Creates a user. The password is hashed before the insert, so a taken
     * name costs the same time as a new one; the unique index settles races.
     * Throws UsernameTakenError.
     */
    async register(input: { username: string; password: string }): Promise<User> {
      const password = await hasher.hash(input.password);
      return users.insert({
        username: displayUsername(input.username),
        canonical: canonicalUsername(input.username),
        password,
      });
    },

    /**
     * Checks a username and password. An unknown user costs one bcrypt
     * compare against a dummy hash, like a known one, so neither the answer
     * nor its timing says which it was. Throws InvalidCredentialsError, or
     * AccountDisabledError once the password has matched. Failures are
     * audited; the success is audited with the session it starts.
     */
    async authenticate(
      input: { username: string; password: string },
      audit: AuditContext,
    ): Promise<User> {
      const user = await users.findByCanonical(canonicalUsername(input.username));
      if (user === undefined) {
        await hasher.verifyDummy(input.password);
        await failed(audit, 'invalid_credentials');
        throw new InvalidCredentialsError();
      }
      if (!(await hasher.verify(input.password, user.password))) {
        await failed(audit, 'invalid_credentials', user.id);
        throw new InvalidCredentialsError();
      }
      if (user.disabledAt !== null) {
        await failed(audit, 'account_disabled', user.id);
        throw new AccountDisabledError();
      }
      if (hasher.needsRehash(user.password)) {
        // Upgrading the hash must not fail the login it rides on.
        hasher
          .hash(input.password)
          .then((next) => users.replacePasswordHash(user.id, user.password, next))
          .catch((error: unknown) =>
            logger.warn({ err: error, user_id: user.id }, 'password rehash failed'),
          );
      }
      const { password: _omit, ...plain } = user;
      return plain;
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

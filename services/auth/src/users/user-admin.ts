import {
  type AdminUser,
  AuthpairError,
  BASE_ROLE,
  type Role,
  type SessionEndReason,
  sortRoles,
} from '@authpair/contracts';
import type { Pool } from 'pg';
import { type AuditContext, recordAudit } from '../audit/audit-log';
import { inTransaction, type Queryable } from '../db/pool';
import type { PasswordHasher } from './password-hasher';
import { createUserAdminQueries, type UserListFilter } from './user-admin-queries';
import { createUserQueries, type User } from './user-queries';
import { canonicalUsername, displayUsername } from './username';

/** No user has this id (or name). */
export class UserNotFoundError extends AuthpairError<'not_found'> {
  constructor(detail = 'no user has this id') {
    super('not_found', detail);
  }
}

/** The change would leave no enabled administrator, and nobody could undo it over HTTP. */
export class LastAdminError extends AuthpairError<'last_admin'> {
  constructor(detail: string) {
    super('last_admin', detail);
  }
}

/** The `user` role is every account's; it cannot be revoked. */
export class BaseRoleError extends AuthpairError<'validation_failed'> {
  constructor() {
    const reason = 'every account holds the user role; disable the user instead';
    super('validation_failed', `role: ${reason}`, { errors: [{ field: 'role', reason }] });
  }
}

/** A `cursor` that this list did not hand out. */
export class InvalidUserCursorError extends AuthpairError<'validation_failed'> {
  constructor() {
    const reason = 'is not a cursor from this list';
    super('validation_failed', `cursor: ${reason}`, { errors: [{ field: 'cursor', reason }] });
  }
}

/**
 * Roles whose scope is privileged: revoking one ends the user's sessions,
 * so tokens carrying its scope stop working within the revocation bound
 * instead of living out their `exp`.
 */
const PRIVILEGED_ROLES: readonly Role[] = ['admin'];

export interface UserAdminDeps {
  pool: Pool;
  /**
   * Ends every live session of the user in the given transaction, returning
   * how many (sessions.endWithin). Given, not imported: sessions/ depends on
   * users/ (a login locks the user's row), so users/ must not depend back.
   */
  endSessions(
    db: Queryable,
    selector: { userId: string },
    reason: SessionEndReason,
    audit: AuditContext,
  ): Promise<number>;
  /** Needed by `create` only (auth-admin). */
  hasher?: PasswordHasher;
}

export interface UserListRequest extends Omit<UserListFilter, 'after' | 'prefix'> {
  cursor?: string | undefined;
  username?: string | undefined;
}

/** A user as the admin API and `auth-admin --json` show it: never a hash, times in RFC 3339. */
export function adminUserView(user: User): AdminUser {
  return {
    id: user.id,
    username: user.username,
    roles: user.roles,
    created_at: user.createdAt.toISOString(),
    disabled_at: user.disabledAt?.toISOString() ?? null,
  };
}

const encodeCursor = (canonical: string) => Buffer.from(canonical, 'utf8').toString('base64url');

/** A cursor is a canonical username: valid UTF-8 (it round-trips), no controls (no NUL for PostgreSQL). */
function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (decoded === '' || encodeCursor(decoded) !== cursor || /[\p{Cc}\p{Cf}]/u.test(decoded))
    throw new InvalidUserCursorError();
  return decoded;
}

/**
 * What administrators do to users, over HTTP (the admin API) or with
 * auth-admin: each change in one transaction with its audit event, the
 * user's row locked for it. Disabling ends every session in that same
 * transaction, so from its commit no refresh token of the user works and
 * the revocation feed carries every session.
 */
export function createUserAdministration({ pool, endSessions, hasher }: UserAdminDeps) {
  async function locked<T>(id: string, work: (db: Queryable, user: User) => Promise<T>) {
    return inTransaction(pool, async (db) => {
      const user = await createUserAdminQueries(db).lock(id);
      if (user === undefined) throw new UserNotFoundError();
      return work(db, user);
    });
  }

  /** Refuses to take the last enabled admin away (disabling or demoting them). */
  async function keepAnAdmin(db: Queryable, user: User): Promise<void> {
    if (!user.roles.includes('admin') || user.disabledAt !== null) return;
    if ((await createUserAdminQueries(db).otherEnabledAdmins(user.id)) === 0)
      throw new LastAdminError(
        `${user.username} is the last enabled admin; grant admin to someone else first`,
      );
  }

  return {
    async list(request: UserListRequest): Promise<{ users: User[]; nextCursor: string | null }> {
      const { users, last, more } = await createUserAdminQueries(pool).list({
        limit: request.limit,
        role: request.role,
        status: request.status,
        after: request.cursor === undefined ? undefined : decodeCursor(request.cursor),
        prefix: request.username === undefined ? undefined : canonicalUsername(request.username),
      });
      return { users, nextCursor: more && last !== undefined ? encodeCursor(last) : null };
    },

    async get(id: string): Promise<User> {
      const user = await createUserAdminQueries(pool).find(id);
      if (user === undefined) throw new UserNotFoundError();
      return user;
    },

    async findByUsername(username: string): Promise<User> {
      const found = await createUserQueries(pool).findByCanonical(canonicalUsername(username));
      if (found === undefined) throw new UserNotFoundError(`no user is named ${username}`);
      const { password: _secret, ...user } = found;
      return user;
    },

    /** A new account with the given roles (auth-admin: the way the first admin comes to be). */
    async create(
      input: { username: string; password: string; roles: readonly Role[] },
      audit: AuditContext,
    ): Promise<User> {
      if (hasher === undefined) throw new Error('creating users needs the password hasher');
      const password = await hasher.hash(input.password);
      return inTransaction(pool, async (db) => {
        const user = await createUserQueries(db).insert({
          username: displayUsername(input.username),
          canonical: canonicalUsername(input.username),
          password,
          roles: input.roles,
        });
        await recordAudit(db, audit, {
          type: 'user_created',
          targetUserId: user.id,
          detail: { roles: user.roles.join(' ') },
        });
        return user;
      });
    },

    /** Disables the account and ends every session of it, at once. */
    disable(id: string, audit: AuditContext): Promise<{ user: User; sessionsEnded: number }> {
      return locked(id, async (db, user) => {
        await keepAnAdmin(db, user);
        const updated = await createUserAdminQueries(db).setDisabled(id, true);
        const sessionsEnded = await endSessions(db, { userId: id }, 'user_disabled', audit);
        if (user.disabledAt === null)
          await recordAudit(db, audit, {
            type: 'user_disabled',
            targetUserId: id,
            detail: { sessions_ended: sessionsEnded },
          });
        return { user: updated, sessionsEnded };
      });
    },

    /** Lets the user log in again; sessions ended by the disable stay ended. */
    enable(id: string, audit: AuditContext): Promise<User> {
      return locked(id, async (db, user) => {
        if (user.disabledAt === null) return user;
        const updated = await createUserAdminQueries(db).setDisabled(id, false);
        await recordAudit(db, audit, { type: 'user_enabled', targetUserId: id });
        return updated;
      });
    },

    /** Grants a role; its scope arrives with the user's next token (login or refresh). */
    grant(id: string, role: Role, audit: AuditContext) {
      return locked(id, async (db, user) => {
        if (user.roles.includes(role)) return { user, changed: false, sessionsEnded: 0 };
        const updated = await createUserAdminQueries(db).setRoles(
          id,
          sortRoles([...user.roles, role]),
        );
        await recordAudit(db, audit, { type: 'role_granted', targetUserId: id, detail: { role } });
        return { user: updated, changed: true, sessionsEnded: 0 };
      });
    },

    /**
     * Revokes a role. Revoking a privileged one (admin) ends the user's
     * sessions too: tokens carrying its scope must not outlive the decision
     * by a whole token lifetime. Other roles take effect at the next refresh.
     */
    revoke(id: string, role: Role, audit: AuditContext) {
      if (role === BASE_ROLE) throw new BaseRoleError();
      return locked(id, async (db, user) => {
        if (!user.roles.includes(role)) return { user, changed: false, sessionsEnded: 0 };
        if (role === 'admin') await keepAnAdmin(db, user);
        const updated = await createUserAdminQueries(db).setRoles(
          id,
          user.roles.filter((held) => held !== role),
        );
        await recordAudit(db, audit, { type: 'role_revoked', targetUserId: id, detail: { role } });
        const sessionsEnded = PRIVILEGED_ROLES.includes(role)
          ? await endSessions(db, { userId: id }, 'role_changed', audit)
          : 0;
        return { user: updated, changed: true, sessionsEnded };
      });
    },
  };
}

export type UserAdministration = ReturnType<typeof createUserAdministration>;

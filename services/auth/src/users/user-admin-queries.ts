import type { Role } from '@authpair/contracts';
import type { Queryable } from '../db/pool';
import { toPlainUser, USER_COLUMNS, type User, type UserRow } from './user-queries';

export interface UserListFilter {
  limit: number;
  /** Only users whose canonical name sorts after this (the previous page's last). */
  after?: string | undefined;
  role?: Role | undefined;
  status?: 'enabled' | 'disabled' | undefined;
  /** Only canonical names starting with this. */
  prefix?: string | undefined;
}

interface ListedRow extends UserRow {
  username_canonical: string;
}

/** SQL for the admin side of the users table; every statement parameterised. */
export function createUserAdminQueries(db: Queryable) {
  async function one(sql: string, params: unknown[]): Promise<User | undefined> {
    const { rows } = await db.query<UserRow>(sql, params);
    return rows[0] && toPlainUser(rows[0]);
  }

  return {
    /** Ordered by canonical name; one row more than asked, to know if a next page exists. */
    async list(filter: UserListFilter): Promise<{ users: User[]; last?: string; more: boolean }> {
      const { rows } = await db.query<ListedRow>(
        `SELECT ${USER_COLUMNS}, username_canonical FROM users
          WHERE ($1::text IS NULL OR username_canonical > $1)
            AND ($2::text IS NULL OR $2 = ANY (roles))
            AND ($3::text IS NULL OR ($3 = 'disabled') = (disabled_at IS NOT NULL))
            AND ($4::text IS NULL OR starts_with(username_canonical, $4))
          ORDER BY username_canonical
          LIMIT $5`,
        [
          filter.after ?? null,
          filter.role ?? null,
          filter.status ?? null,
          filter.prefix ?? null,
          filter.limit + 1,
        ],
      );
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1)?.username_canonical;
      return {
        users: page.map(toPlainUser),
        more: rows.length > filter.limit,
        ...(last === undefined ? {} : { last }),
      };
    },

    find(id: string): Promise<User | undefined> {
      return one(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    },

    /** The user, locked for a change: role and status changes of one user are serialised. */
    lock(id: string): Promise<User | undefined> {
      return one(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
    },

    async setRoles(id: string, roles: readonly Role[]): Promise<User> {
      const user = await one(
        `UPDATE users SET roles = $2, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, roles],
      );
      return user as User;
    },

    async setDisabled(id: string, disabled: boolean): Promise<User> {
      const user = await one(
        `UPDATE users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) END,
                          updated_at = now()
          WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, disabled],
      );
      return user as User;
    },

    /**
     * Enabled admins other than `id`, counted under a transaction-scoped
     * lock that every demotion takes: two admins demoting each other at
     * once are decided one after the other, so one of them is refused.
     */
    async otherEnabledAdmins(id: string): Promise<number> {
      await db.query("SELECT pg_advisory_xact_lock(hashtext('authpair:admins'))");
      const { rows } = await db.query<{ count: string }>(
        `SELECT count(*) AS count FROM users
          WHERE 'admin' = ANY (roles) AND disabled_at IS NULL AND id <> $1`,
        [id],
      );
      return Number(rows[0]?.count ?? 0);
    },
  };
}

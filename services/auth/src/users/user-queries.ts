import { AuthpairError, BASE_ROLE, type Role, sortRoles } from '@authpair/contracts';
import { isUniqueViolation } from '../db/errors';
import type { Queryable } from '../db/pool';
import type { StoredPassword } from './password-hasher';

export interface User {
  id: string;
  username: string;
  createdAt: Date;
  /** Always holds `user`; see `ROLES`. */
  roles: Role[];
  /** Set while an administrator has disabled the account. */
  disabledAt: Date | null;
}

export interface UserWithPassword extends User {
  password: StoredPassword;
}

export interface UserRow {
  id: string;
  username: string;
  created_at: Date;
  roles: string[];
  disabled_at: Date | null;
}

interface UserRowWithPassword extends UserRow {
  password_hash: string;
  password_scheme: string;
}

/** The columns `toPlainUser` reads, for queries that return users. */
export const USER_COLUMNS = 'id, username, created_at, roles, disabled_at';
const COLUMNS_WITH_PASSWORD = `${USER_COLUMNS}, password_hash, password_scheme`;

export function toPlainUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    createdAt: row.created_at,
    roles: sortRoles(row.roles),
    disabledAt: row.disabled_at,
  };
}

function toUser(row: UserRowWithPassword): UserWithPassword {
  return {
    ...toPlainUser(row),
    password: { hash: row.password_hash, scheme: row.password_scheme },
  };
}

/** Thrown by `insert` when the canonical username exists. */
export class UsernameTakenError extends AuthpairError<'username_taken'> {
  constructor(options?: ErrorOptions) {
    super('username_taken', 'choose another username', options);
  }
}

/** SQL for the users table; every statement parameterised. */
export function createUserQueries(db: Queryable) {
  async function findOne(
    key: 'id' | 'username_canonical',
    value: string,
  ): Promise<UserWithPassword | undefined> {
    const { rows } = await db.query<UserRowWithPassword>(
      `SELECT ${COLUMNS_WITH_PASSWORD} FROM users WHERE ${key} = $1`,
      [value],
    );
    return rows[0] === undefined ? undefined : toUser(rows[0]);
  }

  return {
    /** Inserts a user; the unique index on the canonical name decides races. */
    async insert(input: {
      username: string;
      canonical: string;
      password: StoredPassword;
      roles?: readonly Role[];
    }): Promise<User> {
      try {
        const { rows } = await db.query<UserRow>(
          `INSERT INTO users (username, username_canonical, password_hash, password_scheme, roles)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING ${USER_COLUMNS}`,
          [
            input.username,
            input.canonical,
            input.password.hash,
            input.password.scheme,
            sortRoles([BASE_ROLE, ...(input.roles ?? [])]),
          ],
        );
        return toPlainUser(rows[0] as UserRow);
      } catch (error) {
        if (isUniqueViolation(error, 'users_username_canonical_key'))
          throw new UsernameTakenError({ cause: error });
        throw error;
      }
    },

    findByCanonical(canonical: string): Promise<UserWithPassword | undefined> {
      return findOne('username_canonical', canonical);
    },

    findById(id: string): Promise<UserWithPassword | undefined> {
      return findOne('id', id);
    },

    /**
     * Replaces a hash only if it is still the one that was verified (no lost
     * update); says whether it did.
     */
    async replacePasswordHash(
      id: string,
      previous: StoredPassword,
      next: StoredPassword,
    ): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE users SET password_hash = $3, password_scheme = $4, updated_at = now()
          WHERE id = $1 AND password_hash = $2`,
        [id, previous.hash, next.hash, next.scheme],
      );
      return rowCount === 1;
    },
  };
}

export type UserQueries = ReturnType<typeof createUserQueries>;

import { isUniqueViolation } from '../db/errors';
import type { Queryable } from '../db/pool';
import type { StoredPassword } from './password-hasher';

export interface User {
  id: string;
  username: string;
  createdAt: Date;
}

export interface UserWithPassword extends User {
  password: StoredPassword;
}

interface UserRow {
  id: string;
  username: string;
  created_at: Date;
  password_hash: string;
  password_scheme: string;
}

function toUser(row: UserRow): UserWithPassword {
  return {
    id: row.id,
    username: row.username,
    createdAt: row.created_at,
    password: { hash: row.password_hash, scheme: row.password_scheme },
  };
}

/** Thrown by `insert` when the canonical username exists. */
export class UsernameTakenError extends Error {
  override readonly name = 'UsernameTakenError';
}

/** SQL for the users table; every statement parameterised. */
export function createUserQueries(db: Queryable) {
  async function findOne(
    key: 'id' | 'username_canonical',
    value: string,
  ): Promise<UserWithPassword | undefined> {
    const { rows } = await db.query<UserRow>(
      `SELECT id, username, created_at, password_hash, password_scheme
         FROM users WHERE ${key} = $1`,
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
    }): Promise<User> {
      try {
        const { rows } = await db.query<UserRow>(
          `INSERT INTO users (username, username_canonical, password_hash, password_scheme)
           VALUES ($1, $2, $3, $4)
           RETURNING id, username, created_at, password_hash, password_scheme`,
          [input.username, input.canonical, input.password.hash, input.password.scheme],
        );
        const { password: _omit, ...user } = toUser(rows[0] as UserRow);
        return user;
      } catch (error) {
        if (isUniqueViolation(error, 'users_username_canonical_key'))
          throw new UsernameTakenError('username taken', { cause: error });
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

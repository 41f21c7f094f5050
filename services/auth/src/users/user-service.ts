import type { Logger } from '@authpair/service-kit';
import type { PasswordHasher } from './password-hasher';
import type { User, UserQueries } from './user-queries';
import { canonicalUsername, displayUsername } from './username';

/** Thrown by `authenticate` for an unknown user or a wrong password alike. */
export class InvalidCredentialsError extends Error {
  override readonly name = 'InvalidCredentialsError';
}

export interface UserServiceDeps {
  users: UserQueries;
  hasher: PasswordHasher;
  logger: Logger;
}

/** Registration and password login: the rules, not the HTTP. */
export function createUserService({ users, hasher, logger }: UserServiceDeps) {
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
     * nor its timing says which it was. Throws InvalidCredentialsError.
     */
    async authenticate(input: { username: string; password: string }): Promise<User> {
      const user = await users.findByCanonical(canonicalUsername(input.username));
      if (user === undefined) {
        await hasher.verifyDummy(input.password);
        throw new InvalidCredentialsError('invalid credentials');
      }
      if (!(await hasher.verify(input.password, user.password))) {
        throw new InvalidCredentialsError('invalid credentials');
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

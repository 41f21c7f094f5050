import {
  loginRequestSchema,
  type RegisterResponse,
  registerRequestSchemaWith,
  type TokenResponse,
} from '@authpair/contracts';
import { HttpProblem } from '@authpair/service-kit';
import Router from '@koa/router';
import type { Throttles } from '../../rate-limit/throttle';
import type { AccessTokenIssuer } from '../../tokens/access-token';
import type { CommonPasswords } from '../../users/common-passwords';
import { UsernameTakenError } from '../../users/user-queries';
import { InvalidCredentialsError, type UserService } from '../../users/user-service';
import { readBody } from '../body';
import { parseWith } from '../validate';

export interface UserRouteDeps {
  users: UserService;
  tokens: AccessTokenIssuer;
  /** Brute-force throttles, mounted between the body reader and each handler. */
  throttles: Throttles;
  /** Passwords registration refuses as too common. */
  commonPasswords: CommonPasswords;
}

/** Token responses must never be stored by a cache (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** `POST /register` and `POST /login`. */
export function userRoutes({ users, tokens, throttles, commonPasswords }: UserRouteDeps): Router {
  const router = new Router();
  const registerRequestSchema = registerRequestSchemaWith({
    isCommon: (password) => commonPasswords.has(password),
  });

  router.post('/register', readBody('json'), throttles.registration, async function register(ctx) {
    const input = parseWith(registerRequestSchema, ctx.request.body);
    try {
      const user = await users.register(input);
      const body: RegisterResponse = { id: user.id, username: user.username };
      ctx.status = 201;
      ctx.body = body;
    } catch (error) {
      // Saying so is a deliberate trade-off (README: "Enumeration"): a sign-up form
      // must tell a person the name is taken; the time taken is the same either way.
      if (error instanceof UsernameTakenError)
        throw new HttpProblem('username_taken', 'choose another username', { cause: error });
      throw error;
    }
  });

  router.post('/login', readBody('json'), throttles.login, async function login(ctx) {
    const input = parseWith(loginRequestSchema, ctx.request.body);
    let user: Awaited<ReturnType<UserService['authenticate']>>;
    try {
      user = await users.authenticate(input);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw new HttpProblem('invalid_credentials');
      throw error;
    }
    const issued = await tokens.issue({ userId: user.id, username: user.username });
    const body: TokenResponse = {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
    };
    ctx.set(NO_STORE);
    ctx.body = body;
  });

  return router;
}

import {
  loginRequestSchema,
  type RegisterResponse,
  registerRequestSchemaWith,
} from '@authpair/contracts';
import { HttpProblem } from '@authpair/service-kit';
import Router from '@koa/router';
import type { Throttles } from '../../rate-limit/throttle';
import type { SessionService } from '../../sessions/session-service';
import type { CommonPasswords } from '../../users/common-passwords';
import { UsernameTakenError } from '../../users/user-queries';
import { InvalidCredentialsError, type UserService } from '../../users/user-service';
import { readBody } from '../body';
import { sendGrant } from '../token-response';
import { parseWith } from '../validate';

export interface UserRouteDeps {
  users: UserService;
  sessions: SessionService;
  /** Brute-force throttles, mounted between the body reader and each handler. */
  throttles: Throttles;
  /** Passwords registration refuses as too common. */
  commonPasswords: CommonPasswords;
}

/** `POST /register` and `POST /login`. */
export function userRoutes({ users, sessions, throttles, commonPasswords }: UserRouteDeps): Router {
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
    const grant = await sessions.start(user, {
      address: ctx.ip || null,
      userAgent: ctx.get('user-agent') || null,
    });
    sendGrant(ctx, grant);
  });

  return router;
}

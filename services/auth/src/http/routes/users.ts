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
import {
  AccountDisabledError,
  InvalidCredentialsError,
  type UserService,
} from '../../users/user-service';
import { auditContextOf } from '../audit-context';
import { readBody } from '../body';
import type { OutcomeMetrics } from '../outcome-metrics';
import { sendGrant } from '../token-response';
import { parseWith } from '../validate';

export interface UserRouteDeps {
  users: UserService;
  sessions: SessionService;
  /** Count each answer by outcome; mounted first, so a throttled attempt counts too. */
  outcomes: Pick<OutcomeMetrics, 'login' | 'registration'>;
  /** Brute-force throttles, mounted between the body reader and each handler. */
  throttles: Throttles;
  /** Passwords registration refuses as too common. */
  commonPasswords: CommonPasswords;
}

/** `POST /register` and `POST /login`. */
export function userRoutes({
  users,
  sessions,
  outcomes,
  throttles,
  commonPasswords,
}: UserRouteDeps): Router {
  const router = new Router();
  const registerRequestSchema = registerRequestSchemaWith({
    isCommon: (password) => commonPasswords.has(password),
  });

  router.post(
    '/register',
    outcomes.registration,
    readBody('json'),
    throttles.registration,
    async function register(ctx) {
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
    },
  );

  router.post(
    '/login',
    outcomes.login,
    readBody('json'),
    throttles.login,
    async function login(ctx) {
      const input = parseWith(loginRequestSchema, ctx.request.body);
      const audit = auditContextOf(ctx);
      try {
        const user = await users.authenticate(input, audit);
        const grant = await sessions.start(
          user,
          { address: ctx.ip || null, userAgent: ctx.get('user-agent') || null },
          { ...audit, actor: { kind: 'user', userId: user.id } },
        );
        sendGrant(ctx, grant);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) throw new HttpProblem('invalid_credentials');
        // Only a caller who gave the right password learns this (see user-service.ts).
        if (error instanceof AccountDisabledError)
          throw new HttpProblem('account_disabled', 'an administrator has disabled this account');
        throw error;
      }
    },
  );

  return router;
}

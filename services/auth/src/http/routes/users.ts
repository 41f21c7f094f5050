import {
  loginRequestSchema,
  type RegisterResponse,
  registerRequestSchemaWith,
} from '@authpair/contracts';
import Router from '@koa/router';
import type { SessionService } from '../../sessions/session-service';
import type { CommonPasswords } from '../../users/common-passwords';
import type { UserService } from '../../users/user-service';
import { auditContextOf } from '../audit-context';
import { readBody } from '../body';
import type { OutcomeMetrics } from '../outcome-metrics';
import type { Throttles } from '../throttle';
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
      // A taken name is a 409 `username_taken`. Saying so is a deliberate trade-off (README:
      // "Enumeration"): a sign-up form must tell a person; the time taken is the same either way.
      const user = await users.register(input);
      const body: RegisterResponse = { id: user.id, username: user.username };
      ctx.status = 201;
      ctx.body = body;
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
      // 401 `invalid_credentials`; 403 `account_disabled` only after the right password.
      const user = await users.authenticate(input, audit);
      const grant = await sessions.start(
        user,
        { address: ctx.ip || null, userAgent: ctx.get('user-agent') || null },
        { ...audit, actor: { kind: 'user', userId: user.id } },
      );
      sendGrant(ctx, grant);
    },
  );

  return router;
}

import {
  AuthpairError,
  type ChangePasswordResponse,
  changePasswordRequestSchemaWith,
  logoutQuerySchema,
  type SessionListResponse,
} from '@authpair/contracts';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { SessionService } from '../../sessions/session-service';
import type { CommonPasswords } from '../../users/common-passwords';
import type { PasswordChanger } from '../../users/password-change';
import { auditContextOf } from '../audit-context';
import type { SessionState } from '../authenticate';
import { readBody } from '../body';
import { isUuid } from '../params';
import type { Throttles } from '../throttle';
import { parseWith } from '../validate';
import { sessionSummaryView } from '../views';

export interface SessionRouteDeps {
  sessions: SessionService;
  /** Requires an access token of a live session (`requireSession`). */
  authenticate: Middleware<SessionState>;
  changePassword: PasswordChanger;
  /** `passwordChange` counts wrong current passwords against the account, as failed logins. */
  throttles: Pick<Throttles, 'passwordChange'>;
  /** New passwords follow registration's policy, common-password list included. */
  commonPasswords: CommonPasswords;
}

/** `/logout`, `/sessions` and `/password`: what a signed-in user does with their sessions. */
export function sessionRoutes({
  sessions,
  authenticate,
  changePassword,
  throttles,
  commonPasswords,
}: SessionRouteDeps): Router<SessionState> {
  const router = new Router<SessionState>();
  const changePasswordRequestSchema = changePasswordRequestSchemaWith({
    isCommon: (password) => commonPasswords.has(password),
  });

  router.post('/logout', authenticate, async function logout(ctx) {
    const { scope } = parseWith(logoutQuerySchema, ctx.query);
    const { userId, sessionId } = ctx.state.principal;
    const audit = auditContextOf(ctx);
    if (scope === 'all') await sessions.end({ userId }, 'logout_all', audit);
    else await sessions.end({ userId, sessionId }, 'logout', audit);
    ctx.status = 204;
  });

  router.get('/sessions', authenticate, async function listSessions(ctx) {
    const { userId, sessionId } = ctx.state.principal;
    const rows = await sessions.list(userId);
    const body: SessionListResponse = {
      sessions: rows.map((row) => ({ ...sessionSummaryView(row), current: row.id === sessionId })),
    };
    ctx.body = body;
  });

  router.delete('/sessions/:id', authenticate, async function endSession(ctx) {
    const id = ctx.params.id;
    const { userId } = ctx.state.principal;
    // Someone else's session and no session at all look the same: 404.
    const ended = isUuid(id)
      ? await sessions.end({ userId, sessionId: id }, 'ended_by_user', auditContextOf(ctx))
      : 0;
    if (ended === 0) throw new AuthpairError('not_found', 'you have no live session with this id');
    ctx.status = 204;
  });

  const passwordBody = readBody('json');
  router.post(
    '/password',
    authenticate,
    passwordBody,
    throttles.passwordChange,
    async function changeOwnPassword(ctx) {
      const input = parseWith(changePasswordRequestSchema, ctx.request.body);
      const { userId, sessionId } = ctx.state.principal;
      // A wrong current password: 400 naming `current_password`.
      const ended = await changePassword({
        userId,
        sessionId,
        currentPassword: input.current_password,
        newPassword: input.new_password,
        audit: auditContextOf(ctx),
      });
      const body: ChangePasswordResponse = { sessions_ended: ended };
      ctx.body = body;
    },
  );

  return router;
}

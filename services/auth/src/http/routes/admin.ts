import {
  type AdminSessionList,
  type AdminUserPage,
  type AuditEventPage,
  AuthpairError,
  adminUserListQuerySchema,
  auditEventQuerySchema,
  type DisableUserResponse,
  type EndSessionsResponse,
  invalidField,
  type RoleChangeResponse,
  roleParamsSchema,
} from '@authpair/contracts';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AuditTrail } from '../../audit/audit-trail';
import type { SessionService } from '../../sessions/session-service';
import type { UserAdministration } from '../../users/user-admin';
import type { User } from '../../users/user-queries';
import { auditContextOf } from '../audit-context';
import type { SessionState } from '../authenticate';
import { idParam } from '../params';
import { parseWith } from '../validate';
import { adminUserView, sessionSummaryView } from '../views';

export interface AdminRouteDeps {
  users: UserAdministration;
  sessions: SessionService;
  audit: AuditTrail;
  /** `requireSession` then `requireAdmin`: every route here needs both. */
  authorize: Middleware<SessionState>[];
}

/** PostgreSQL's bigint: an id beyond it would be a 500 (numeric out of range), not a 400. */
const MAX_EVENT_ID = 2n ** 63n - 1n;

/** The audit trail's cursor is the last event id seen. */
function auditCursor(cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > MAX_EVENT_ID)
    throw invalidField('cursor', 'is not a cursor from this list');
  return BigInt(cursor);
}

/**
 * `/admin/…`: users, their roles and sessions, and the audit trail, for
 * access tokens with the `admin` scope of users who are admins now.
 */
export function adminRoutes({
  users,
  sessions,
  audit,
  authorize,
}: AdminRouteDeps): Router<SessionState> {
  const router = new Router<SessionState>({ prefix: '/admin' });
  router.use(...authorize);
  const userOf = async (id: string | undefined): Promise<User> => users.get(idParam(id, 'user'));

  router.get('/users', async function listUsers(ctx) {
    const query = parseWith(adminUserListQuerySchema, ctx.query);
    const page = await users.list(query);
    const body: AdminUserPage = {
      users: page.users.map(adminUserView),
      next_cursor: page.nextCursor,
    };
    ctx.body = body;
  });

  router.get('/users/:id', async function showUser(ctx) {
    ctx.body = adminUserView(await userOf(ctx.params.id));
  });

  router.post('/users/:id/disable', async function disableUser(ctx) {
    const { user, sessionsEnded } = await users.disable(
      idParam(ctx.params.id, 'user'),
      auditContextOf(ctx),
    );
    const body: DisableUserResponse = { user: adminUserView(user), sessions_ended: sessionsEnded };
    ctx.body = body;
  });

  router.post('/users/:id/enable', async function enableUser(ctx) {
    ctx.body = adminUserView(
      await users.enable(idParam(ctx.params.id, 'user'), auditContextOf(ctx)),
    );
  });

  /** `PUT` grants, `DELETE` revokes; both answer with the user and what changed. */
  const changeRole = (change: 'grant' | 'revoke'): Middleware<SessionState> =>
    async function changeRole(ctx) {
      const { role } = parseWith(roleParamsSchema, { role: ctx.params.role });
      const id = idParam(ctx.params.id, 'user');
      const result = await users[change](id, role, auditContextOf(ctx));
      const body: RoleChangeResponse = {
        user: adminUserView(result.user),
        changed: result.changed,
        sessions_ended: result.sessionsEnded,
      };
      ctx.body = body;
    };
  router.put('/users/:id/roles/:role', changeRole('grant'));
  router.delete('/users/:id/roles/:role', changeRole('revoke'));

  router.get('/users/:id/sessions', async function listUserSessions(ctx) {
    const user = await userOf(ctx.params.id);
    const body: AdminSessionList = {
      sessions: (await sessions.list(user.id)).map(sessionSummaryView),
    };
    ctx.body = body;
  });

  router.delete('/users/:id/sessions', async function endUserSessions(ctx) {
    const user = await userOf(ctx.params.id);
    const ended = await sessions.end({ userId: user.id }, 'ended_by_admin', auditContextOf(ctx));
    const body: EndSessionsResponse = { sessions_ended: ended };
    ctx.body = body;
  });

  router.delete('/users/:id/sessions/:sid', async function endUserSession(ctx) {
    const userId = idParam(ctx.params.id, 'user');
    const sessionId = idParam(ctx.params.sid, 'live session of this user');
    const ended = await sessions.end({ userId, sessionId }, 'ended_by_admin', auditContextOf(ctx));
    if (ended === 0)
      throw new AuthpairError('not_found', 'this user has no live session with this id');
    ctx.status = 204;
  });

  router.get('/audit-events', async function listAuditEvents(ctx) {
    const query = parseWith(auditEventQuerySchema, ctx.query);
    const { events, more } = await audit.list({
      userId: query.user_id,
      type: query.type,
      beforeId: auditCursor(query.cursor),
      limit: query.limit,
    });
    const body: AuditEventPage = {
      events,
      next_cursor: more ? (events.at(-1)?.id ?? null) : null,
    };
    ctx.body = body;
  });

  return router;
}

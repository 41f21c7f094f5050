import { ADMIN_SCOPE } from '@authpair/contracts';
import { insufficientScope } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import { type UserAdministration, UserNotFoundError } from '../users/user-admin';
import type { SessionState } from './authenticate';

/**
 * Behind `requireSession`: the token must carry the `admin` scope, and its
 * user must still be an enabled admin now. The second check costs one
 * primary-key read and means a demotion counts here at once, whatever
 * tokens are out (demoting also ends the user's sessions, so this is the
 * belt to those braces). Both refusals are 403 `insufficient_scope`.
 */
export function requireAdmin(users: UserAdministration): Middleware<SessionState> {
  return async function authorizeAdmin(ctx, next) {
    const { principal } = ctx.state;
    if (!principal.scopes.includes(ADMIN_SCOPE)) throw insufficientScope(ADMIN_SCOPE);
    const user = await users.get(principal.userId).catch((error: unknown) => {
      if (error instanceof UserNotFoundError) return undefined;
      throw error;
    });
    if (user === undefined || user.disabledAt !== null || !user.roles.includes('admin'))
      throw insufficientScope(ADMIN_SCOPE, 'the admin role is no longer held');
    await next();
  };
}

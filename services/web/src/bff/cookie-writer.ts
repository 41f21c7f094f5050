import type { Middleware } from 'koa';
import { clearRefreshCookie, setRefreshCookie } from './refresh-cookie';

/** What a route decided about the refresh cookie: set it to a token, or clear it. */
export interface CookieState {
  refreshCookie?: { token: string } | 'clear';
}

/**
 * Writes the route's cookie decision once the response is otherwise done,
 * error responses included. Mounted outside the error handler, which
 * strips the headers of a failed handler: a logout whose call to auth
 * failed must still clear the cookie, or a reload would restore the
 * session the user left.
 */
export function refreshCookieWriter(maxAgeSeconds: number): Middleware<CookieState> {
  return async function writeRefreshCookie(ctx, next) {
    try {
      await next();
    } finally {
      const decision = ctx.state.refreshCookie;
      if (decision === 'clear') clearRefreshCookie(ctx);
      else if (decision !== undefined) setRefreshCookie(ctx, decision.token, maxAgeSeconds);
    }
  };
}

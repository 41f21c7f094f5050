/**
 * The refresh token's cookie. `__Host-` makes the browser refuse it unless
 * it is `Secure`, has `Path=/` and no `Domain`: it belongs to this exact
 * host, no sibling subdomain can set or shadow it. `HttpOnly` keeps it out
 * of page JavaScript (an injected script cannot read it, only use the
 * session while it runs); `SameSite=Strict` keeps it off requests other
 * sites start. Written by hand rather than with Koa's `ctx.cookies`, which
 * refuses `Secure` on a connection it does not see as TLS: on
 * http://localhost the browser accepts it (a secure context), and behind a
 * TLS-terminating proxy the browser's connection is TLS.
 */
import type { Context } from 'koa';

export const REFRESH_COOKIE = '__Host-authpair-refresh';

/**
 * What a value may hold: the auth service's tokens are `aprt_` and
 * base64url; anything else (a header-splitting attempt, a forged cookie
 * with separators) is never echoed back nor forwarded.
 */
const COOKIE_VALUE = /^[A-Za-z0-9._~-]{1,512}$/;

const ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=Strict';

/** Whether `token` can be sent as the cookie's value as it is. */
export function fitsCookie(token: string): boolean {
  return COOKIE_VALUE.test(token);
}

/** The refresh token the request's cookie carries, if any well-formed one. */
export function readRefreshCookie(ctx: Pick<Context, 'get'>): string | undefined {
  for (const pair of ctx.get('cookie').split(';')) {
    const separator = pair.indexOf('=');
    if (separator === -1 || pair.slice(0, separator).trim() !== REFRESH_COOKIE) continue;
    const value = pair.slice(separator + 1).trim();
    return COOKIE_VALUE.test(value) ? value : undefined;
  }
  return undefined;
}

/** Sets the cookie to `token` for `maxAgeSeconds` (from now: each rotation renews it). */
export function setRefreshCookie(
  ctx: Pick<Context, 'append'>,
  token: string,
  maxAgeSeconds: number,
): void {
  if (!fitsCookie(token))
    throw new Error('the auth service issued a refresh token that cannot be a cookie value');
  ctx.append('Set-Cookie', `${REFRESH_COOKIE}=${token}; ${ATTRIBUTES}; Max-Age=${maxAgeSeconds}`);
}

/** Tells the browser to drop the cookie (same name, path and prefix rules, expired). */
export function clearRefreshCookie(ctx: Pick<Context, 'append'>): void {
  ctx.append('Set-Cookie', `${REFRESH_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`);
}

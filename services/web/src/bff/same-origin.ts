/**
 * Cross-site request forgery: the refresh cookie rides on every request
 * the browser sends here, whoever's page started it. `SameSite=Strict`
 * stops other sites, but not another origin of the same site (a sibling
 * subdomain, another port of localhost), and `/auth/token` takes a
 * form-encoded POST that needs no preflight. So every request that changes
 * something must say it came from this app's own pages: `Sec-Fetch-Site:
 * same-origin` where the browser sends it, `Origin` equal to `WEB_ORIGIN`
 * where it sends that (OWASP's CSRF cheat sheet: verifying the origin with
 * standard headers). A request with neither is not a browser's, and a
 * cookie it carries is one its sender holds anyway.
 */
import { AuthpairError } from '@authpair/contracts';
import type { Middleware } from 'koa';

export function sameOriginOnly(origin: string): Middleware {
  return async function refuseOtherOrigins(ctx, next) {
    const site = ctx.get('sec-fetch-site');
    if (site !== '' && site !== 'same-origin')
      throw new AuthpairError('foreign_origin', `a request from a ${site} page is refused here`);
    const sender = ctx.get('origin');
    if (sender !== '' && sender !== origin)
      throw new AuthpairError('foreign_origin', 'a request from another origin is refused here');
    await next();
  };
}

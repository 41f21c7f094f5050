import type { Middleware } from 'koa';

/**
 * Headers for a JSON API that no browser should render, frame or cache:
 * OWASP's REST Security Cheat Sheet set. Responses are `no-store` unless a
 * route opts into caching (the JWKS and discovery documents do).
 */
export function securityHeaders(): Middleware {
  return async function setSecurityHeaders(ctx, next) {
    ctx.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    await next();
  };
}

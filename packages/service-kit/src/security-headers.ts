import type { Middleware } from 'koa';

/**
 * Headers for a JSON API that no browser should render, frame or cache:
 * OWASP's REST Security Cheat Sheet set. Responses are `no-store` unless a
 * route opts into caching (the JWKS and discovery documents do).
 */
export function securityHeaders(): Middleware {
  // Not async: the headers are set before the rest runs, and nothing is
  // done after it, so a frame held across the request would only cost.
  return function setSecurityHeaders(ctx, next) {
    const { res } = ctx;
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    return next();
  };
}

const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Referrer-Policy', 'no-referrer'],
  ['Cache-Control', 'no-store'],
];

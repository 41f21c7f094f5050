import cors from '@koa/cors';
import type { Middleware } from 'koa';

/** Response headers a browser script may read: the ones clients act on. */
export const CORS_EXPOSED_HEADERS = [
  'Retry-After',
  'WWW-Authenticate',
  'X-Request-Id',
  'X-Client-Request-Id',
] as const;

/**
 * Cross-origin access for browser clients, off unless origins are listed.
 * With a list, a request from a listed origin gets
 * `Access-Control-Allow-Origin` naming it (never `*`) and a preflight from
 * it a 204; any other origin gets no CORS headers at all, so the browser
 * blocks it. `Vary: Origin` is always sent, so a cache never serves one
 * origin's answer to another. No credentials mode: the services take bearer
 * tokens, not cookies.
 */
export function corsPolicy(allowedOrigins: readonly string[]): Middleware {
  if (allowedOrigins.length === 0) {
    // Not async: a pass-through holding no frame across the request.
    return function corsDisabled(_ctx, next) {
      return next();
    };
  }
  const allowed = new Set(allowedOrigins);
  return cors({
    origin(ctx) {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    allowMethods: ['GET', 'HEAD', 'POST', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: 600,
    credentials: false,
  });
}

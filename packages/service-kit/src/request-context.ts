import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from './logger';

/** What the kit puts on `ctx.state` for every request. */
export interface RequestState {
  requestId: string;
  /** A child logger carrying the request id. */
  log: Logger;
  /** How errors are answered: problem+json unless a route (the OAuth endpoints) says `oauth`. */
  errorFormat?: 'problem' | 'oauth';
  /**
   * The RFC 6750 realm of a bearer-protected route, set when its token is
   * read: errors with a challenge in the catalogue then carry
   * `WWW-Authenticate` for this realm.
   */
  bearerRealm?: string;
}

/** A client-supplied request id is kept only when it is short and plain. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The matched route's pattern, so logs and metrics group `/sessions/:id`, not each id. */
export function routeOf(ctx: { _matchedRoute?: unknown }): string {
  return typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
}

/**
 * The per-request state: a class rather than Koa's plain `{}`, so the
 * request logger can be a lazy accessor on the prototype. A child logger
 * costs an allocation and a bindings serialisation, and most requests log
 * nothing but the access line; an accessor defined per request
 * (Object.defineProperty) would cost more than it saves.
 */
class RequestStateImpl implements RequestState {
  readonly requestId: string;
  readonly #logger: Logger;
  #log: Logger | undefined;

  constructor(requestId: string, logger: Logger) {
    this.requestId = requestId;
    this.#logger = logger;
  }

  get log(): Logger {
    this.#log ??= this.#logger.child({ req_id: this.requestId });
    return this.#log;
  }
}

/**
 * Assigns the request id (the caller's `x-request-id` when acceptable, else a
 * new UUID), echoes it, and writes one access-log line when the response is
 * done. The line carries the path without its query string: a query could
 * hold a token.
 */
export function requestContext(logger: Logger): Middleware<RequestState> {
  return async function assignRequestContext(ctx, next) {
    const started = process.hrtime.bigint();
    const offered = ctx.get('x-request-id');
    const requestId = ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
    ctx.state = new RequestStateImpl(requestId, logger);
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          req_id: requestId,
          method: ctx.method,
          path: ctx.path,
          route: routeOf(ctx as { _matchedRoute?: unknown }),
          status: ctx.status,
          duration_ms: Math.round(durationMs * 1000) / 1000,
        },
        'request',
      );
    }
  };
}

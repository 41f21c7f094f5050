import { randomUUID } from 'node:crypto';
import { METRICS_PATH, REVOCATION_FEED_PATH } from '@authpair/contracts';
import type { Middleware } from 'koa';
import type { Logger } from './logger';

/** What the kit puts on `ctx.state` for every request. */
export interface RequestState {
  /** Generated here for every request: the id of the logs, the audit trail and 5xx bodies. */
  requestId: string;
  /**
   * The caller's `X-Request-Id`, when it sent an acceptable one: its own
   * label, kept beside ours and never in its place, since a client can
   * give any request any id (another request's, another user's).
   */
  clientRequestId: string | undefined;
  /** A child logger carrying both ids. */
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
  readonly clientRequestId: string | undefined;
  readonly #logger: Logger;
  #log: Logger | undefined;

  constructor(requestId: string, clientRequestId: string | undefined, logger: Logger) {
    this.requestId = requestId;
    this.clientRequestId = clientRequestId;
    this.#logger = logger;
  }

  get log(): Logger {
    this.#log ??= this.#logger.child(idsOf(this));
    return this.#log;
  }
}

/** The ids a log line carries: ours always, the client's when it sent one. */
function idsOf(state: RequestState): { req_id: string; client_req_id?: string } {
  return state.clientRequestId === undefined
    ? { req_id: state.requestId }
    : { req_id: state.requestId, client_req_id: state.clientRequestId };
}

/**
 * Paths machines call on a schedule: probes, scrapes, and the revocation
 * feed every resource replica polls each second. Answered well, they log
 * at `debug`, so that an idle service's default log is silent and what a
 * person needs stands out; a refusal or failure still logs at `info`.
 */
const SCHEDULED_PATHS = new Set(['/healthz', '/readyz', METRICS_PATH, REVOCATION_FEED_PATH]);

/**
 * Assigns the request id, a new UUID, and sends it as `X-Request-Id`; keeps
 * the caller's `X-Request-Id` apart, when acceptable, and echoes it as
 * `X-Client-Request-Id` for the caller to match its requests with. Writes
 * one access-log line when the response is done, with both ids and the
 * path without its query string (a query could hold a token); at `debug`
 * for a scheduled caller's successful request (SCHEDULED_PATHS).
 */
export function requestContext(logger: Logger): Middleware<RequestState> {
  return async function assignRequestContext(ctx, next) {
    const started = performance.now();
    // Straight from node:http, not through Koa's ctx.get/ctx.set: those
    // allocate entry arrays per call, measurable at this path's scale.
    const offered = ctx.req.headers['x-request-id'];
    const clientRequestId =
      typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : undefined;
    const state = new RequestStateImpl(randomUUID(), clientRequestId, logger);
    ctx.state = state;
    ctx.res.setHeader('X-Request-Id', state.requestId);
    if (clientRequestId !== undefined) ctx.res.setHeader('X-Client-Request-Id', clientRequestId);
    try {
      await next();
    } finally {
      const level = ctx.status < 400 && SCHEDULED_PATHS.has(ctx.path) ? 'debug' : 'info';
      if (logger.isLevelEnabled(level)) {
        const durationMs = performance.now() - started;
        const line: AccessLine = {
          req_id: state.requestId,
          method: ctx.method,
          path: ctx.path,
          route: routeOf(ctx as { _matchedRoute?: unknown }),
          status: ctx.status,
          duration_ms: Math.round(durationMs * 1000) / 1000,
        };
        // Last, as idsOf puts it: the line's keys keep one order, one hidden class.
        if (clientRequestId !== undefined) line.client_req_id = clientRequestId;
        logger[level](line, 'request');
      }
    }
  };
}

/** The access line's fields. */
interface AccessLine {
  req_id: string;
  method: string;
  path: string;
  route: string;
  status: number;
  duration_ms: number;
  client_req_id?: string;
}

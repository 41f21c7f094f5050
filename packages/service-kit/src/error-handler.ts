import { AuthpairError, OAUTH_ERROR_CONTENT_TYPE, PROBLEM_CONTENT_TYPE } from '@authpair/contracts';
import type { Middleware } from 'koa';
import { oauthErrorBody, problemBody, problemHeaders, toAuthpairError } from './problem';
import type { RequestState } from './request-context';

/**
 * The first middleware of each service: every error, and every response
 * left without a body by the router (404, 405, 501), leaves as problem+json
 * (or, on routes that set `ctx.state.errorFormat = 'oauth'`, as an OAuth
 * error response carrying the same members).
 * A 4xx says what was wrong; a 5xx says nothing internal and carries the
 * request id that is also in the log line with the cause.
 */
export interface ErrorHandlerOptions {
  /**
   * Gives a library's error its meaning in the catalogue (PostgreSQL
   * unavailable: 503), or undefined to leave it to the default mapping.
   */
  classify?: (error: unknown) => AuthpairError | undefined;
}

export function errorHandler({ classify }: ErrorHandlerOptions = {}): Middleware<RequestState> {
  return async function handleErrors(ctx, next) {
    let problem: AuthpairError | undefined;
    try {
      await next();
      if (ctx.body == null && ctx.status === 404) problem = new AuthpairError('not_found');
      else if (ctx.body == null && ctx.status === 405)
        problem = new AuthpairError('method_not_allowed');
      else if (ctx.body == null && ctx.status === 501)
        problem = new AuthpairError('not_implemented', `${ctx.method} is not supported here`);
    } catch (error) {
      problem = classify?.(error) ?? toAuthpairError(error);
    }
    if (problem === undefined) return;

    const { log, requestId } = ctx.state;
    // A 501 is the client's unknown method (a scanner's PROPFIND), not a fault of ours.
    if (problem.status >= 500 && problem.code !== 'not_implemented')
      log.error({ err: problem.cause ?? problem, code: problem.code }, 'request failed');
    else if (problem.cause !== undefined)
      // The type only: a client's error can quote the request (V8's JSON SyntaxError quotes the body).
      log.debug({ cause_type: typeNameOf(problem.cause), code: problem.code }, 'request refused');

    // Headers set by the failed handler (a half-built success) must not leak into the problem.
    const allow = ctx.response.get('Allow');
    for (const name of Object.keys(ctx.response.headers)) {
      if (!KEEP_ON_ERROR.has(name)) ctx.remove(name);
    }
    ctx.status = problem.status;
    ctx.set(problemHeaders(problem, ctx.state.bearerRealm));
    if (problem.code === 'method_not_allowed' && allow !== '') ctx.set('Allow', allow);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.state.errorFormat === 'oauth') {
      ctx.type = OAUTH_ERROR_CONTENT_TYPE;
      ctx.body = oauthErrorBody(problem, ctx.path, requestId);
    } else {
      ctx.type = PROBLEM_CONTENT_TYPE;
      ctx.body = problemBody(problem, ctx.path, requestId);
    }
  };
}

function typeNameOf(value: unknown): string {
  return value instanceof Error ? value.name : typeof value;
}

/** Response headers that describe the exchange, not the answer: kept on an error. */
const KEEP_ON_ERROR = new Set([
  'x-request-id',
  'x-client-request-id',
  'connection',
  'accept-encoding',
  'x-content-type-options',
  'x-frame-options',
  'content-security-policy',
  'referrer-policy',
  'cross-origin-resource-policy',
  'strict-transport-security',
  'vary',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
]);

import { OAUTH_ERROR_CONTENT_TYPE, PROBLEM_CONTENT_TYPE } from '@authpair/contracts';
import type { Middleware } from 'koa';
import { HttpProblem } from './problem';
import type { RequestState } from './request-context';

/** Koa's and its middlewares' errors carry an HTTP status and a `type` (raw-body, http-errors). */
interface StatusError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  headers?: unknown;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as StatusError;
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && value >= 400 && value < 600 ? value : undefined;
}

/**
 * Maps anything thrown to an HttpProblem. Library errors that are the
 * client's fault (a body too large, unparseable or in an unknown charset)
 * keep their 4xx meaning; everything else is a 500 whose cause stays in the log.
 */
export function toHttpProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const status = statusOf(error);
  const type = (error as StatusError | null)?.type;
  switch (status) {
    case 400:
      if (
        type === 'entity.parse.failed' ||
        type === 'encoding.unsupported' ||
        type === 'charset.unsupported'
      )
        return new HttpProblem(
          'malformed_body',
          'the request body is not valid for its content type',
          { cause: error },
        );
      return new HttpProblem('invalid_request', 'the request could not be read', { cause: error });
    case 404:
      return new HttpProblem('not_found', undefined, { cause: error });
    case 413:
      return new HttpProblem(
        'payload_too_large',
        'the request body exceeds the limit for this endpoint',
        { cause: error },
      );
    case 415:
      return new HttpProblem('unsupported_media_type', undefined, { cause: error });
    default:
      return new HttpProblem('internal_error', undefined, { cause: error });
  }
}

/**
 * The first middleware of each service: every error, and every response
 * left without a body by the router (404, 405, 501), leaves as problem+json
 * (or, on routes that set `ctx.state.errorFormat = 'oauth'`, as an OAuth
 * error response carrying the same members).
 * A 4xx says what was wrong; a 5xx says nothing internal and carries the
 * request id that is also in the log line with the cause.
 */
export function errorHandler(): Middleware<RequestState> {
  return async function handleErrors(ctx, next) {
    let problem: HttpProblem | undefined;
    try {
      await next();
      if (ctx.body == null && ctx.status === 404) problem = new HttpProblem('not_found');
      else if (ctx.body == null && ctx.status === 405)
        problem = new HttpProblem('method_not_allowed', undefined, {
          headers: { Allow: ctx.response.get('Allow') },
        });
      else if (ctx.body == null && ctx.status === 501)
        problem = new HttpProblem('not_implemented', `${ctx.method} is not supported here`);
    } catch (error) {
      problem = toHttpProblem(error);
    }
    if (problem === undefined) return;

    const { log, requestId } = ctx.state;
    // A 501 is the client's unknown method (a scanner's PROPFIND), not a fault of ours.
    if (problem.status >= 500 && problem.code !== 'not_implemented')
      log.error({ err: problem.cause ?? problem, code: problem.code }, 'request failed');
    else if (problem.cause !== undefined)
      log.debug({ err: problem.cause, code: problem.code }, 'request refused');

    // Headers set by the failed handler (a half-built success) must not leak into the problem.
    for (const name of Object.keys(ctx.response.headers)) {
      if (!KEEP_ON_ERROR.has(name)) ctx.remove(name);
    }
    ctx.status = problem.status;
    ctx.set(problem.headers);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.state.errorFormat === 'oauth') {
      ctx.type = OAUTH_ERROR_CONTENT_TYPE;
      ctx.body = problem.toOAuthBody(ctx.path, requestId);
    } else {
      ctx.type = PROBLEM_CONTENT_TYPE;
      ctx.body = problem.toBody(ctx.path, requestId);
    }
  };
}

/** Response headers that describe the exchange, not the answer: kept on an error. */
const KEEP_ON_ERROR = new Set([
  'x-request-id',
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

import { HttpProblem } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';

/** Request bodies here are a username and a password: a few KB is plenty. */
export const BODY_LIMIT = '4kb';

type Kind = 'json' | 'form';

const MEDIA_TYPES: Record<Kind, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

/**
 * Reads the body as one of the given kinds, or refuses: 415 for any other
 * media type (koa-bodyparser alone would hand the route `{}` for JSON sent
 * as text/plain), 413 over the limit before any parsing, 400 when it does
 * not parse or is not a single object (arrays and scalars are refused).
 */
export function readBody(...kinds: [Kind, ...Kind[]]): Middleware {
  const parse = bodyParser({
    enableTypes: kinds,
    jsonLimit: BODY_LIMIT,
    formLimit: BODY_LIMIT,
    strict: true,
    onerror(error) {
      throw error;
    },
  });
  const accepted = kinds.map((kind) => MEDIA_TYPES[kind]);

  return async function parseBody(ctx, next) {
    if (ctx.is(...accepted) === false) {
      throw new HttpProblem('unsupported_media_type', `the body must be ${accepted.join(' or ')}`);
    }
    try {
      await parse(ctx, async () => {});
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status === 413)
        throw new HttpProblem('payload_too_large', `the body must be at most ${BODY_LIMIT}`, {
          cause: error,
        });
      if (status === 415)
        throw new HttpProblem('unsupported_media_type', undefined, { cause: error });
      throw new HttpProblem('malformed_body', 'the body could not be parsed', { cause: error });
    }
    const body: unknown = ctx.request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpProblem('malformed_body', 'the body must be a single JSON object');
    }
    await next();
  };
}

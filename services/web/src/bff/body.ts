/**
 * Request bodies on their way to auth. They are passed on as bytes (auth
 * validates them, and refuses what it does not accept); this backend only
 * bounds their size, so it never buffers more than auth would read, and
 * reads the two parameters of a refresh request.
 */
import { AuthpairError } from '@authpair/contracts';
import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** Auth's own limit: a username and a password, or a refresh grant. */
const BODY_LIMIT_BYTES = 4 * 1024;

/** The body's bytes; 413 over the limit (declared or streamed), before it is buffered. */
export async function readRaw(ctx: Context): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, {
      limit: BODY_LIMIT_BYTES,
      length: ctx.get('content-length') || null,
    });
  } catch (error) {
    if ((error as { type?: unknown }).type === 'entity.too.large') {
      ctx.set('Connection', 'close');
      throw new AuthpairError('payload_too_large', 'the body must be at most 4kb', {
        cause: error,
      });
    }
    throw new AuthpairError('malformed_body', 'the body could not be read', { cause: error });
  }
}

/**
 * The parameters of a token request: form-encoded (as OAuth clients send
 * them, and @authpair/client does) or a JSON object; `{}` for anything
 * else, which then lacks `grant_type`.
 */
export function tokenParameters(ctx: Context, raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (ctx.is('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  if (ctx.is('application/json')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch (error) {
      throw new AuthpairError('malformed_body', 'the body is not valid JSON', { cause: error });
    }
  }
  return {};
}

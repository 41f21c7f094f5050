import { AuthpairError } from '@authpair/contracts';
import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';

/** Request bodies here are a username and a password: a few KB is plenty. */
export const BODY_LIMIT = '4kb';
const BODY_LIMIT_BYTES = 4 * 1024;

type Kind = 'json' | 'form';

const MEDIA_TYPES: Record<Kind, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

declare module 'koa' {
  interface Request {
    /** The parsed body, set by `readBody` on the routes that accept one. */
    body?: unknown;
  }
}

/** Strict UTF-8: an invalid byte is an error, never a silent U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the body as one of the given kinds, or refuses, before any handler
 * (and so any hashing) runs:
 *
 * - 415 for another media type (JSON sent as text/plain must not become
 *   `{}`), a charset other than UTF-8, or any `Content-Encoding`: a gzip
 *   body is a decompression bomb waiting to happen and nobody needs one for
 *   a few hundred bytes (RFC 7694: the 415 says `Accept-Encoding: identity`);
 * - 413 over the limit, declared or streamed (chunked), before the body
 *   is buffered, with `Connection: close` so the rest is never read;
 * - 400 when it is not valid UTF-8 (two different byte strings must never
 *   decode to the same password), does not parse, is not a single object,
 *   or (form) repeats a parameter (RFC 6749 §3.2).
 */
export function readBody(...kinds: [Kind, ...Kind[]]): Middleware {
  const accepted = kinds.map((kind) => MEDIA_TYPES[kind]);

  return async function parseBody(ctx, next) {
    const kind = kindOf(ctx, kinds, accepted);
    const text = await readUtf8(ctx);
    const body = kind === 'json' ? parseJson(text) : parseForm(text);
    ctx.request.body = body;
    await next();
  };
}

function kindOf(ctx: Context, kinds: Kind[], accepted: string[]): Kind {
  const encoding = ctx.get('content-encoding').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    ctx.set('Accept-Encoding', 'identity'); // RFC 7694 §3
    throw new AuthpairError('unsupported_media_type', 'compressed request bodies are not accepted');
  }
  const matched = ctx.is(...accepted);
  // `null`: no body at all; parsed below as empty, which no schema accepts.
  const kind = kinds.find((candidate) => MEDIA_TYPES[candidate] === matched) ?? kinds[0];
  if (matched === false || kind === undefined) {
    throw new AuthpairError('unsupported_media_type', `the body must be ${accepted.join(' or ')}`);
  }
  const charset = ctx.request.charset.toLowerCase();
  if (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AuthpairError('unsupported_media_type', 'the body must be encoded as UTF-8');
  }
  return kind;
}

async function readUtf8(ctx: Context): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await getRawBody(ctx.req, {
      limit: BODY_LIMIT_BYTES,
      // Declared length: checked against the limit before reading, and against what arrives.
      length: ctx.get('content-length') || null,
    });
  } catch (error) {
    if ((error as { type?: unknown }).type === 'entity.too.large') {
      // The rest of the body is not read: the connection cannot carry another request.
      ctx.set('Connection', 'close');
      throw new AuthpairError('payload_too_large', `the body must be at most ${BODY_LIMIT}`, {
        cause: error,
      });
    }
    throw new AuthpairError('malformed_body', 'the body could not be read', { cause: error });
  }
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new AuthpairError('malformed_body', 'the body is not valid UTF-8', { cause: error });
  }
}

/**
 * JSON.parse, then a single object. A `__proto__` member becomes an own
 * property (JSON.parse never touches the prototype), which the strict
 * schemas then refuse as an unknown field. A repeated member keeps its last
 * value, as in every JSON.parse; that one value is what gets validated.
 */
function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AuthpairError('malformed_body', 'the body is not valid JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AuthpairError('malformed_body', 'the body must be a single JSON object');
  return value as Record<string, unknown>;
}

/** Flat `name=value` pairs; each name at most once (RFC 6749 §3.2). */
function parseForm(text: string): Record<string, string> {
  const body: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(body, name))
      throw new AuthpairError('malformed_body', `the parameter ${name} is repeated`);
    body[name] = value;
  }
  return body;
}

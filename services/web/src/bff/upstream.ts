/**
 * Calls from this backend to the auth service, and how their answers are
 * relayed to the page. The page only ever talks to this origin; what it
 * sends on to auth is the request's own body and a short list of headers,
 * and what comes back is auth's answer with the headers a client acts on.
 */
import { AuthpairError } from '@authpair/contracts';
import type { RequestState } from '@authpair/service-kit';
import type { Context } from 'koa';

/** An answer of the auth service, read whole (its bodies are a few hundred bytes). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export interface UpstreamRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers: Record<string, string>;
  readonly body?: Buffer | string;
}

/** Headers of the page's request that auth needs, passed on as they are. */
const FORWARDED = ['content-type', 'accept', 'authorization', 'user-agent'] as const;

/** Headers of auth's answer the page's client reads (and the caches must obey). */
const RELAYED = [
  'content-type',
  'cache-control',
  'pragma',
  'retry-after',
  'www-authenticate',
  'allow',
] as const;

/** How long a client should wait before trying again when auth did not answer. */
const RETRY_AFTER_SECONDS = 2;

export class AuthUpstream {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(url: string, timeoutMs: number, fetchImpl: typeof fetch = globalThis.fetch) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#fetch = fetchImpl;
  }

  /** Auth's answer, whatever its status; a 503 `service_unavailable` when it gave none in time. */
  async send(path: string, request: UpstreamRequest): Promise<UpstreamAnswer> {
    try {
      const response = await this.#fetch(`${this.#url}${path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const body = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      throw new AuthpairError('service_unavailable', 'the auth service did not answer', {
        message: `auth ${request.method} ${path} failed: ${String(error)}`,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
        cause: error,
      });
    }
  }

  /** Whether auth answers its liveness probe: this app's readiness. */
  async alive(): Promise<boolean> {
    try {
      const response = await this.#fetch(`${this.#url}/healthz`, {
        signal: AbortSignal.timeout(Math.min(this.#timeoutMs, 2000)),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }
}

/**
 * The headers to send auth for this request: the forwarded ones, this
 * request's id (auth's log lines then carry the same id as ours), and the
 * client's address appended to `X-Forwarded-For`, as a proxy does. Auth
 * takes the address from there only with `TRUST_PROXY` (docs/web.md).
 */
export function forwardedHeaders(
  ctx: Context & { state: RequestState },
  overrides: Record<string, string> = {},
): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': ctx.state.requestId };
  for (const name of FORWARDED) {
    const value = ctx.get(name);
    if (value !== '') headers[name] = value;
  }
  const chain = ctx.get('x-forwarded-for');
  const address = ctx.request.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = chain === '' ? address : `${chain}, ${address}`;
  return { ...headers, ...overrides };
}

/** Answers the page with auth's answer: its status, body and the headers clients act on. */
export function relay(ctx: Context, answer: UpstreamAnswer, body: Buffer = answer.body): void {
  for (const name of RELAYED) {
    const value = answer.headers.get(name);
    if (value !== null) ctx.set(name, value);
  }
  ctx.status = answer.status;
  ctx.body = answer.status === 204 || answer.status === 304 ? null : body;
}

/** Auth's answer as JSON, or undefined when it is not. */
export function jsonOf(answer: UpstreamAnswer): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

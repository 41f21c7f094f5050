/**
 * `/auth/…`: the auth service's user endpoints as the page sees them, on
 * this origin. The page's `@authpair/client` points its `authUrl` here.
 * Login and refresh answers lose their refresh token on the way, which goes
 * into the `__Host-` cookie instead; refresh requests take it from the
 * cookie and share one exchange per session (refresh-flights.ts); logout
 * forgets it. Everything else is passed through unchanged.
 */
import { AuthpairError, REFRESH_TOKEN_GRANT, type TokenResponse } from '@authpair/contracts';
import type { RequestState } from '@authpair/service-kit';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { BffMetrics } from './bff-metrics';
import { readRaw, tokenParameters } from './body';
import type { CookieState } from './cookie-writer';
import { fitsCookie, readRefreshCookie } from './refresh-cookie';
import { type Exchange, type RefreshFlights, remainingTokens } from './refresh-flights';
import { sameOriginOnly } from './same-origin';
import {
  type AuthUpstream,
  forwardedHeaders,
  jsonOf,
  relay,
  type UpstreamAnswer,
  type UpstreamRequest,
} from './upstream';

export interface BffRouteDeps {
  upstream: AuthUpstream;
  flights: RefreshFlights;
  metrics: BffMetrics;
  /** `WEB_ORIGIN`: the only origin whose pages may change anything here. */
  origin: string;
  clock?: () => number;
}

type BffState = RequestState & CookieState;
type BffContext = Context & { state: BffState };

/** Errors on `/auth/token` leave as OAuth error responses, as auth's own do. */
const answerAsOAuth: Middleware<RequestState> = async function answerAsOAuth(ctx, next) {
  ctx.state.errorFormat = 'oauth';
  await next();
};

/** Auth's token response, if it is one and carries the refresh token this backend must keep. */
function grantedTokens(
  answer: UpstreamAnswer,
): (TokenResponse & { refresh_token: string }) | undefined {
  if (answer.status !== 200) return undefined;
  const body = jsonOf(answer);
  if (typeof body !== 'object' || body === null) return undefined;
  const tokens = body as Partial<TokenResponse>;
  if (
    typeof tokens.access_token !== 'string' ||
    tokens.token_type !== 'Bearer' ||
    typeof tokens.expires_in !== 'number' ||
    typeof tokens.refresh_token !== 'string' ||
    !fitsCookie(tokens.refresh_token)
  )
    return undefined;
  return tokens as TokenResponse & { refresh_token: string };
}

/** A 200 that is not a token response must never be relayed: it could carry a refresh token. */
function unexpectedAnswer(path: string): AuthpairError {
  return new AuthpairError('internal_error', undefined, {
    message: `auth answered ${path} with a 200 that is not a token response with a refresh token`,
  });
}

/** Sends the page its tokens: never the refresh token, never cached (RFC 6749 §5.1). */
function sendTokens(ctx: Context, tokens: TokenResponse): void {
  const { refresh_token: _kept, ...forPage } = tokens;
  ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  ctx.body = forPage;
}

export function bffRoutes({
  upstream,
  flights,
  metrics,
  origin,
  clock = Date.now,
}: BffRouteDeps): Router<BffState> {
  const router = new Router<BffState>({ prefix: '/auth' });
  const sameOrigin = sameOriginOnly(origin);

  /** `form` to auth, form-encoded, with this request's id and the client's address. */
  const formRequest = (ctx: BffContext, form: Record<string, string>): UpstreamRequest => {
    const { authorization: _none, ...headers } = forwardedHeaders(ctx, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    return { method: 'POST', headers, body: new URLSearchParams(form).toString() };
  };

  /** RFC 7009 with a refresh token: ends its session at auth. */
  const revoke = (ctx: BffContext, token: string): Promise<UpstreamAnswer> =>
    upstream.send('/revoke', formRequest(ctx, { token, token_type_hint: 'refresh_token' }));

  router.post('/login', sameOrigin, async function login(ctx) {
    const body = await readRaw(ctx);
    const answer = await upstream.send('/login', {
      method: 'POST',
      headers: forwardedHeaders(ctx),
      body,
    });
    if (answer.status !== 200) return relay(ctx, answer);
    const tokens = grantedTokens(answer);
    if (tokens === undefined) throw unexpectedAnswer('/login');
    const previous = readRefreshCookie(ctx);
    ctx.state.refreshCookie = { token: tokens.refresh_token };
    if (previous !== undefined && previous !== tokens.refresh_token) {
      // This browser can no longer reach the session it replaces: end it rather than leave it live.
      flights.end(previous);
      await revoke(ctx, previous).catch((error: unknown) =>
        ctx.state.log.warn({ err: error }, 'could not revoke the session a login replaced'),
      );
    }
    sendTokens(ctx, tokens);
  });

  router.post('/token', answerAsOAuth, sameOrigin, async function refreshFromCookie(ctx) {
    // `client_id` and `scope` are not passed on: the page refreshes the session as it was granted.
    const params = tokenParameters(ctx, await readRaw(ctx));
    if (params.grant_type === undefined)
      throw new AuthpairError('invalid_request', 'grant_type is required');
    if (params.grant_type !== REFRESH_TOKEN_GRANT)
      throw new AuthpairError('unsupported_grant_type', 'only the refresh_token grant is served');
    if (params.refresh_token !== undefined)
      throw new AuthpairError(
        'invalid_request',
        'the refresh token travels in its cookie here, never in the body',
      );
    const token = readRefreshCookie(ctx);
    if (token === undefined) {
      metrics.refresh('no_cookie');
      throw new AuthpairError('invalid_grant', 'no session cookie: log in', { reason: 'invalid' });
    }
    const exchange = async (): Promise<Exchange> => {
      const form = { grant_type: REFRESH_TOKEN_GRANT, refresh_token: token };
      const answer = await upstream.send('/token', formRequest(ctx, form));
      if (answer.status === 200) {
        const tokens = grantedTokens(answer);
        if (tokens === undefined) throw unexpectedAnswer('/token');
        return { kind: 'granted', grant: { tokens, receivedAt: clock() } };
      }
      const error = (jsonOf(answer) as { error?: unknown } | undefined)?.error;
      return { kind: 'refused', answer, ended: error === 'invalid_grant' };
    };
    let outcome: Awaited<ReturnType<RefreshFlights['refresh']>>;
    try {
      outcome = await flights.refresh(token, exchange);
    } catch (error) {
      metrics.refresh('failed');
      throw error;
    }
    if (outcome.kind === 'refused') {
      metrics.refresh('refused');
      // A dead token (with auth's `reason`) goes; a 503 or a 429 leaves it for the next try.
      if (outcome.ended) ctx.state.refreshCookie = 'clear';
      return relay(ctx, outcome.answer);
    }
    metrics.refresh(outcome.via);
    ctx.state.refreshCookie = { token: outcome.grant.tokens.refresh_token };
    sendTokens(ctx, remainingTokens(outcome.grant, clock()));
  });

  router.post('/logout', sameOrigin, async function logout(ctx) {
    const token = readRefreshCookie(ctx);
    const all = ctx.query.scope === 'all';
    const forget = () => {
      ctx.state.refreshCookie = 'clear';
      if (token !== undefined) flights.end(token);
    };
    // This session: whatever auth answers, this browser forgets it (a reload must not bring it
    // back). Every session: only once auth has ended them, so a failure leaves this one to retry.
    if (!all) forget();
    let answer: UpstreamAnswer | undefined;
    if (ctx.get('authorization') !== '')
      answer = await upstream.send(
        ctx.querystring === '' ? '/logout' : `/logout?${ctx.querystring}`,
        {
          method: 'POST',
          headers: forwardedHeaders(ctx),
        },
      );
    const ended = answer?.status === 204;
    if (all && ended) forget();
    if (!ended && !all && token !== undefined) {
      // No access token, or one auth no longer takes: end the session with its refresh token.
      const revoked = await revoke(ctx, token);
      if (revoked.status === 200) answer = undefined;
    }
    if (answer === undefined || ended) ctx.status = 204;
    else relay(ctx, answer);
  });

  const passThrough = (
    method: UpstreamRequest['method'],
    path: (ctx: BffContext) => string,
  ): Middleware<BffState> =>
    async function forward(ctx) {
      const body = method === 'GET' ? undefined : await readRaw(ctx);
      const answer = await upstream.send(path(ctx), {
        method,
        headers: forwardedHeaders(ctx),
        ...(body === undefined || body.length === 0 ? {} : { body }),
      });
      relay(ctx, answer);
    };

  router.post(
    '/register',
    sameOrigin,
    passThrough('POST', () => '/register'),
  );
  router.get(
    '/sessions',
    passThrough('GET', () => '/sessions'),
  );
  router.delete(
    '/sessions/:id',
    sameOrigin,
    passThrough('DELETE', (ctx) => `/sessions/${encodeURIComponent(ctx.params.id ?? '')}`),
  );
  router.post(
    '/password',
    sameOrigin,
    passThrough('POST', () => '/password'),
  );
  return router;
}

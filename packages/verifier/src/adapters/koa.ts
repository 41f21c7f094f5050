/**
 * Koa middleware: `koaBearer(verifier).authenticate` puts the verified
 * claims on `ctx.state.claims`; `requireScope(scope)` follows it.
 */
import { type AccessTokenClaims, isAuthpairError, problemResponse } from '@authpair/contracts';
import type { Middleware, ParameterizedContext } from 'koa';
import { checkScope } from '../respond';
import type { Verifier } from '../verifier';

/** `ctx.state` behind `authenticate`. */
export interface BearerState {
  claims: Readonly<AccessTokenClaims>;
  /**
   * With `errors: 'throw'`: the realm whose challenge the app's error
   * handler must send with a thrown error (see KoaBearerOptions).
   */
  bearerRealm?: string;
}

export interface KoaBearerOptions {
  /**
   * `respond` (the default): an error is answered here, as the resource
   * service answers it (problem+json, `WWW-Authenticate`, `Retry-After`,
   * `Cache-Control: no-store`). `throw`: the AuthpairError is thrown to
   * the app's own error handler, with `ctx.state.bearerRealm` set, for an
   * app that renders errors itself (render it with `problemResponse` from
   * `@authpair/contracts`).
   */
  errors?: 'respond' | 'throw';
}

export interface KoaBearer {
  /** Requires a valid access token of a live session; `ctx.state.claims` then holds its claims. */
  authenticate: Middleware<BearerState>;
  /** After `authenticate`: requires `scope` in the token's `scope` claim, else 403 `insufficient_scope`. */
  requireScope(scope: string): Middleware<BearerState>;
}

export function koaBearer(
  verifier: Verifier,
  { errors = 'respond' }: KoaBearerOptions = {},
): KoaBearer {
  const { realm } = verifier;
  const rethrow = errors === 'throw';

  function fail(ctx: ParameterizedContext<BearerState>, error: unknown): void {
    if (rethrow || !isAuthpairError(error)) throw error;
    const answer = problemResponse(error, { realm, instance: ctx.path });
    ctx.status = answer.status;
    // Content-Type first: Koa keeps a type already set when the body is assigned.
    ctx.set(answer.headers);
    ctx.body = answer.body;
  }

  return {
    authenticate: async function authenticateBearer(ctx, next) {
      if (rethrow) ctx.state.bearerRealm = realm;
      let claims: Readonly<AccessTokenClaims>;
      try {
        claims = await verifier.authenticate(ctx.req);
      } catch (error) {
        fail(ctx, error);
        return;
      }
      ctx.state.claims = claims;
      await next();
    },
    requireScope(scope) {
      return async function requireBearerScope(ctx, next) {
        try {
          checkScope(ctx.state.claims, scope);
        } catch (error) {
          fail(ctx, error);
          return;
        }
        await next();
      };
    },
  };
}

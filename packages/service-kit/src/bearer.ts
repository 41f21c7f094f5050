import { bearerTokenOf, hasAccessTokenInQuery } from '@authpair/contracts';
import type { Context } from 'koa';
import type { RequestState } from './request-context';

export { insufficientScope } from '@authpair/contracts';

/** What `readBearerToken` needs of a Koa context. */
export type BearerContext = Pick<Context, 'get' | 'url'> & {
  state: Pick<RequestState, 'bearerRealm'>;
};

/**
 * The bearer token of a request (RFC 6750 §2.1; `bearerTokenOf` in
 * `@authpair/contracts` says which request gets which refusal). It marks
 * the route as protected in `realm`, so that every error after this point
 * that has a challenge in the catalogue is answered with `WWW-Authenticate`.
 */
export function readBearerToken(ctx: BearerContext, realm: string): string {
  ctx.state.bearerRealm = realm;
  return bearerTokenOf(ctx.get('authorization'), hasAccessTokenInQuery(ctx.url));
}

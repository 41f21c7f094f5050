import type { TokenResponse } from '@authpair/contracts';
import type { Context } from 'koa';
import type { SessionGrant } from '../sessions/session-service';

/** Token responses must never be stored by a cache (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** Answers with a login's or a refresh's tokens (RFC 6749 §5.1). */
export function sendGrant(ctx: Pick<Context, 'set' | 'body'>, grant: SessionGrant): void {
  const body: TokenResponse = {
    access_token: grant.accessToken,
    token_type: 'Bearer',
    expires_in: grant.expiresIn,
    refresh_token: grant.refreshToken,
    // RFC 6749 §5.1: required when it differs from what was asked, and nothing was.
    ...(grant.scope === '' ? {} : { scope: grant.scope }),
  };
  ctx.set(NO_STORE);
  ctx.body = body;
}

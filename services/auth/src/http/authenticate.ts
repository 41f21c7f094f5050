import { AuthpairError } from '@authpair/contracts';
import { type RequestState, readBearerToken } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import type { SessionService } from '../sessions/session-service';
import type { AccessTokenPrincipal, LocalTokenVerifier } from '../tokens/local-token-verifier';

/** `ctx.state` behind `requireSession`. */
export interface SessionState extends RequestState {
  principal: AccessTokenPrincipal;
}

export interface AuthenticateDeps {
  verifier: LocalTokenVerifier;
  sessions: SessionService;
  realm: string;
}

/**
 * Requires an access token of a live session (RFC 6750 §2.1): the token is
 * verified locally, then its session is looked up, so a token of an ended
 * session is refused here at once, not at its `exp`.
 */
export function requireSession({
  verifier,
  sessions,
  realm,
}: AuthenticateDeps): Middleware<SessionState> {
  return async function authenticateSession(ctx, next) {
    const token = readBearerToken(ctx, realm);
    const principal = await verifier.verify(token);
    if (!(await sessions.isLive(principal.sessionId, principal.userId)))
      throw new AuthpairError('invalid_token', 'the session of this access token has ended');
    ctx.state.principal = principal;
    await next();
  };
}

import {
  AuthpairError,
  parseScope,
  REFRESH_TOKEN_GRANT,
  revocationRequestSchema,
  tokenRequestSchema,
} from '@authpair/contracts';
import type { RequestState } from '@authpair/service-kit';
import { InvalidTokenError } from '@authpair/verifier';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { TokenRefresher } from '../../sessions/refresh';
import { looksLikeRefreshToken } from '../../sessions/refresh-token';
import type { SessionService } from '../../sessions/session-service';
import type { LocalTokenVerifier } from '../../tokens/local-token-verifier';
import { auditContextOf } from '../audit-context';
import { readBody } from '../body';
import { sendGrant } from '../token-response';
import { fieldErrors } from '../validate';

export interface OAuthRouteDeps {
  refresher: TokenRefresher;
  sessions: SessionService;
  verifier: LocalTokenVerifier;
  /** The one (public, first-party) client tokens are issued to. */
  clientId: string;
}

/** Errors on these routes leave as OAuth error responses (RFC 6749 §5.2), not problem+json. */
const answerAsOAuth: Middleware<RequestState> = async function answerAsOAuth(ctx, next) {
  ctx.state.errorFormat = 'oauth';
  await next();
};

/** The parameters, or a 400 `invalid_request` naming the bad ones. Unknown parameters pass. */
function parameters<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const detail = fieldErrors(result.error)
    .map(({ field, reason }) => `${field} ${reason}`)
    .join('; ');
  throw new AuthpairError('invalid_request', detail);
}

/** Public clients authenticate with nothing but their id; a foreign id is refused. */
function checkClient(sent: string | undefined, clientId: string): void {
  if (sent !== undefined && sent !== clientId)
    throw new AuthpairError('invalid_client', 'the client_id is not known to this issuer');
}

/** `POST /token` (RFC 6749 §6, refresh grant only) and `POST /revoke` (RFC 7009). */
export function oauthRoutes({ refresher, sessions, verifier, clientId }: OAuthRouteDeps): Router {
  const router = new Router();
  const body = readBody('form', 'json');

  router.post('/token', answerAsOAuth, body, async function exchangeRefreshToken(ctx) {
    const input = parameters(tokenRequestSchema, ctx.request.body);
    if (input.grant_type === undefined)
      throw new AuthpairError('invalid_request', 'grant_type is required');
    if (input.grant_type !== REFRESH_TOKEN_GRANT)
      throw new AuthpairError(
        'unsupported_grant_type',
        'only the refresh_token grant is served here; log in at /login',
      );
    checkClient(input.client_id, clientId);
    if (input.refresh_token === undefined)
      throw new AuthpairError('invalid_request', 'refresh_token is required');
    // RFC 6749 §6: a scope, if asked for, may only narrow what the user's roles grant.
    const scope = input.scope === undefined ? undefined : parseScope(input.scope);
    // `invalid_grant` (with its `reason`) or `invalid_scope` when refused.
    const grant = await refresher.refresh(input.refresh_token, {
      ...(scope === undefined ? {} : { scope }),
      audit: auditContextOf(ctx),
    });
    sendGrant(ctx, grant);
  });

  router.post('/revoke', answerAsOAuth, body, async function revokeToken(ctx) {
    const input = parameters(revocationRequestSchema, ctx.request.body);
    checkClient(input.client_id, clientId);
    if (input.token === undefined) throw new AuthpairError('invalid_request', 'token is required');
    // RFC 7009 §2.1: the hint only speeds up the search, so the token's shape decides.
    const audit = auditContextOf(ctx);
    if (looksLikeRefreshToken(input.token)) {
      await sessions.revokeRefreshToken(input.token, audit);
    } else {
      // RFC 7009 §2.1 allows revoking an access token's grant: here, its session.
      try {
        const { userId, sessionId } = await verifier.verify(input.token);
        await sessions.end({ userId, sessionId }, 'token_revoked', {
          ...audit,
          actor: { kind: 'user', userId },
        });
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
      }
    }
    // RFC 7009 §2.2: 200 whether or not the token was known, valid or already revoked.
    ctx.status = 200;
    ctx.body = '';
  });

  return router;
}

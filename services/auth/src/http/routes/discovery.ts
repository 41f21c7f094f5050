import { type AuthorizationServerMetadata, type JwkSet, SCOPES } from '@authpair/contracts';
import Router from '@koa/router';
import type { KeyRing } from '../../keys/key-ring';

export interface DiscoveryRouteDeps {
  issuer: string;
  keys: KeyRing;
  /** `Cache-Control: max-age` of both documents, seconds. */
  maxAge: number;
}

/** The RFC 8414 document for this issuer. */
export function authorizationServerMetadata(issuer: string): AuthorizationServerMetadata {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: `${issuer}/revoke`,
    // No authorization endpoint: users log in with a password at login_endpoint,
    // and the token endpoint serves the refresh grant.
    response_types_supported: [],
    grant_types_supported: ['refresh_token'],
    // Public first-party clients: no client authentication.
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    access_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: [...SCOPES],
    login_endpoint: `${issuer}/login`,
    user_registration_endpoint: `${issuer}/register`,
  };
}

/** `GET /.well-known/jwks.json` and `GET /.well-known/oauth-authorization-server`. */
export function discoveryRoutes({ issuer, keys, maxAge }: DiscoveryRouteDeps): Router {
  const router = new Router();
  const metadata = authorizationServerMetadata(issuer);
  const cacheControl = `public, max-age=${maxAge}`;

  // A stale view that cannot be reread is a 503 (no-store), never a set cached for max-age.
  router.get('/.well-known/jwks.json', async function jwks(ctx) {
    const body: JwkSet = { keys: await keys.publishedKeys() };
    ctx.set('Cache-Control', cacheControl);
    ctx.body = body;
  });

  router.get('/.well-known/oauth-authorization-server', function serverMetadata(ctx) {
    ctx.set('Cache-Control', cacheControl);
    ctx.body = metadata;
  });

  return router;
}

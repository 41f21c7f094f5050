/**
 * Express middleware: `expressBearer(verifier).authenticate` puts the
 * verified claims on `req.auth` (as express-oauth2-jwt-bearer and
 * express-jwt do); `requireScope(scope)` follows it.
 */
import { type AccessTokenClaims, isAuthpairError } from '@authpair/contracts';
import type { RequestHandler } from 'express';
import { checkScope, pathOf, writeProblem } from '../respond';
import type { Verifier } from '../verifier';

declare global {
  namespace Express {
    interface Request {
      /** The verified access-token claims, behind `expressBearer(verifier).authenticate`. */
      auth?: Readonly<AccessTokenClaims>;
    }
  }
}

export interface ExpressBearer {
  /**
   * Requires a valid access token of a live session; `req.auth` then holds
   * its claims. An error is answered here, as the resource service answers
   * it (problem+json, `WWW-Authenticate`, `Retry-After`, no-store).
   */
  authenticate: RequestHandler;
  /** After `authenticate`: requires `scope` in the token's `scope` claim, else 403 `insufficient_scope`. */
  requireScope(scope: string): RequestHandler;
}

export function expressBearer(verifier: Verifier): ExpressBearer {
  const { realm } = verifier;
  return {
    authenticate: function authenticateBearer(req, res, next) {
      verifier.authenticate(req).then(
        (claims) => {
          req.auth = claims;
          next();
        },
        (error: unknown) => {
          if (!isAuthpairError(error)) return next(error);
          writeProblem(res, error, { realm, instance: pathOf(req.originalUrl) });
        },
      );
    },
    requireScope(scope) {
      return function requireBearerScope(req, res, next) {
        try {
          checkScope(req.auth, scope);
        } catch (error) {
          if (!isAuthpairError(error)) return next(error);
          return writeProblem(res, error, { realm, instance: pathOf(req.originalUrl) });
        }
        next();
      };
    },
  };
}

/**
 * @authpair/verifier: authpair's access-token verification for any Node
 * resource server. The framework adapters are at `@authpair/verifier/koa`,
 * `/express` and `/fastify`. See docs/verifier.md.
 */
export {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  AuthpairError,
  accessTokenClaimsSchema,
  isAuthpairError,
  MAX_TOKEN_LENGTH,
  type ProblemResponse,
  problemResponse,
} from '@authpair/contracts';
export { VerifiedTokenCache } from './cache/verified-token-cache';
export { type DescribeRefusal, describeRefusal, type TokenRefusal } from './core/refusals';
export {
  createTokenVerifier,
  type KeyResolver,
  type TokenPolicy,
  type VerifiedToken,
} from './core/verify-token';
export {
  InvalidTokenError,
  JwksUnavailableError,
  RevocationUnavailableError,
  type VerifierError,
  type VerifierErrorCode,
} from './errors';
export {
  JwksCache,
  type JwksCounters,
  type JwksObserver,
  type JwksSnapshot,
  type JwksStatus,
} from './jwks/jwks-cache';
export type { JwksFailureReason } from './jwks/jwks-fetch';
export { JWKS_DEFAULTS, type JwksSettings } from './jwks/jwks-settings';
export { SILENT_LOGGER, type VerifierLogger } from './logger';
export {
  VERIFIER_DEFAULTS,
  type VerificationOutcome,
  type VerifierObserver,
  type VerifierOptions,
  type VerifierSettings,
} from './options';
export { checkScope, pathOf, writeProblem } from './respond';
export {
  type RefusalReason,
  type RevocationEvents,
  RevocationList,
  type RevocationListOptions,
  type RevocationSnapshot,
} from './revocation/revocation-list';
export { REVOCATION_DEFAULTS, type RevocationSettings } from './revocation/revocation-settings';
export {
  type BearerRequest,
  createVerifier,
  type JwksCheck,
  type RevocationCheck,
  Verifier,
  type VerifierHealth,
} from './verifier';

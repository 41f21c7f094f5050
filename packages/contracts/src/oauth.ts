/**
 * The OAuth 2.0 endpoints of the auth service: the token endpoint
 * (RFC 6749 §3.2, refresh grant §6) and token revocation (RFC 7009).
 *
 * Their errors are the one exception to "every error is problem+json":
 * OAuth clients require `Content-Type: application/json` with `error` and
 * `error_description` (RFC 6749 §5.2). The RFC 9457 members (`type`,
 * `title`, `status`, `code`) ride along as extension members, so a client
 * can still switch on the stable `code`.
 */
import { z } from 'zod';
import { problemDetailsSchema } from './problem';

/** The only grant the token endpoint serves; passwords go to `/login`. */
export const REFRESH_TOKEN_GRANT = 'refresh_token';

/** The media type of OAuth error responses (RFC 6749 §5.2). */
export const OAUTH_ERROR_CONTENT_TYPE = 'application/json';

/**
 * RFC 6749 §5.2 error codes, plus `server_error` and
 * `temporarily_unavailable` (RFC 6749 §4.1.2.1), which the OAuth error
 * registry lists for the authorization endpoint and clients also understand
 * here, for 5xx answers.
 */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/** An OAuth error response: RFC 6749 §5.2 members beside RFC 9457 ones. */
export const oauthErrorResponseSchema = problemDetailsSchema.extend({
  /** RFC 6749 §5.2: the OAuth error code. */
  error: z.enum(OAUTH_ERROR_CODES),
  /** RFC 6749 §5.2: printable ASCII without `"` or `\`, for the developer. */
  error_description: z.string().optional(),
});
export type OAuthErrorResponse = z.infer<typeof oauthErrorResponseSchema>;

/** Longest parameter value read; a refresh token is 48 characters, an access token under 1 KB. */
const PARAMETER_MAX = 4096;

/**
 * One request parameter: a single string. Sent twice it arrives as an
 * array, which RFC 6749 §3.2 forbids; sent empty it counts as omitted.
 */
const parameter = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .string({ error: 'must be sent once, as a string' })
    .max(PARAMETER_MAX, { error: `must be at most ${PARAMETER_MAX} characters` })
    .optional(),
);

/**
 * `POST /token` parameters (RFC 6749 §6), form-encoded or JSON. Unknown
 * parameters are ignored, as RFC 6749 §3.2 requires; which ones are
 * required depends on `grant_type`, so the endpoint checks that.
 */
export const tokenRequestSchema = z.looseObject({
  grant_type: parameter,
  refresh_token: parameter,
  scope: parameter,
  client_id: parameter,
});
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

/** RFC 7009 §2.1 `token_type_hint` values this server knows. */
export const TOKEN_TYPE_HINTS = ['refresh_token', 'access_token'] as const;

/** `POST /revoke` parameters (RFC 7009 §2.1). An unknown hint is ignored (§2.1: search all types). */
export const revocationRequestSchema = z.looseObject({
  token: parameter,
  token_type_hint: parameter,
  client_id: parameter,
});
export type RevocationRequest = z.infer<typeof revocationRequestSchema>;

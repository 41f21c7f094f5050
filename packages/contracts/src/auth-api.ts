/**
 * Request and response bodies of the auth service. The schemas validate
 * requests at the edge; their inferred types are what handlers see.
 */
import { z } from 'zod';

/** Username policy, applied to the NFKC-normalised form. */
export const USERNAME_POLICY = {
  minLength: 3,
  maxLength: 32,
  /**
   * Letters, marks and decimal digits of any script, plus `.`, `_` and `-`,
   * starting with a letter or digit; none of them invisible (Unicode's
   * Default_Ignorable_Code_Point, refused before this pattern applies).
   */
  pattern: '^[\\p{L}\\p{Nd}][\\p{L}\\p{M}\\p{Nd}._-]*$',
} as const;

/** Password policy (OWASP ASVS 5.0 §6.2, NIST SP 800-63B §3.1.1.2), counted in code points after NFKC. */
export const PASSWORD_POLICY = {
  minLength: 8,
  maxLength: 256,
} as const;

// Cc (controls, NUL included) and Cf (format: zero-width, bidi controls, BOM).
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;
// Characters Unicode says to render as nothing when unsupported: variation
// selectors, the combining grapheme joiner, Mongolian free variation
// selectors and the Hangul fillers are marks or letters (not Cc/Cf), so
// without this "alice" plus one of them is a second "alice" on screen.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const USERNAME_PATTERN = new RegExp(USERNAME_POLICY.pattern, 'u');
// Half of a UTF-16 surrogate pair on its own: not a character, and UTF-8 has no encoding for it.
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_UNICODE = 'must be valid Unicode text';
/** Upper bound on raw input length, checked before any normalisation work. */
const RAW_INPUT_MAX = 1024;

/** "is required" when absent, "must be a string" otherwise. */
const stringError = (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : 'must be a string';

function codePoints(value: string): number {
  return [...value].length;
}

/** A username as submitted at registration; the policy applies after NFKC. */
export const usernameSchema = z
  .string({ error: stringError })
  .max(RAW_INPUT_MAX, { error: `must be at most ${USERNAME_POLICY.maxLength} characters` })
  .superRefine((raw, ctx) => {
    const value = raw.normalize('NFKC');
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (CONTROL_OR_FORMAT.test(value))
      return issue('must not contain control or format characters');
    if (INVISIBLE.test(value))
      return issue('must not contain invisible characters such as variation selectors or fillers');
    const length = codePoints(value);
    if (length < USERNAME_POLICY.minLength)
      return issue(`must be at least ${USERNAME_POLICY.minLength} characters`);
    if (length > USERNAME_POLICY.maxLength)
      return issue(`must be at most ${USERNAME_POLICY.maxLength} characters`);
    if (!USERNAME_PATTERN.test(value))
      return issue(
        "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit",
      );
  })
  .meta({
    description: `${USERNAME_POLICY.minLength} to ${USERNAME_POLICY.maxLength} letters, digits, '.', '_' or '-' after NFKC normalisation; unique ignoring case and compatibility forms.`,
    examples: ['alice'],
  });

/** Checks of a new password that need data the contract does not hold. */
export interface NewPasswordChecks {
  /** Whether the NFKC-normalised password is on the service's list of common passwords. */
  isCommon?: (normalized: string) => boolean;
}

/** The reason given for a password on the common-password list. */
export const COMMON_PASSWORD_REASON =
  'is too common: it appears in lists of leaked passwords; choose another';

/**
 * A new password: length after NFKC, not blank, well-formed Unicode (a lone
 * surrogate would be hashed as U+FFFD, so two different strings would be one
 * password) and, when the service supplies the list, not a common password.
 */
export function newPasswordSchemaWith({ isCommon }: NewPasswordChecks = {}) {
  return z
    .string({ error: stringError })
    .max(PASSWORD_POLICY.maxLength * 4, {
      error: `must be at most ${PASSWORD_POLICY.maxLength} characters`,
    })
    .superRefine((raw, ctx) => {
      const value = raw.normalize('NFKC');
      const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
      if (value.trim().length === 0) return issue('must not be empty or only whitespace');
      if (LONE_SURROGATE.test(value)) return issue(NOT_UNICODE);
      const length = codePoints(value);
      if (length < PASSWORD_POLICY.minLength)
        return issue(`must be at least ${PASSWORD_POLICY.minLength} characters`);
      if (length > PASSWORD_POLICY.maxLength)
        return issue(`must be at most ${PASSWORD_POLICY.maxLength} characters`);
      if (isCommon?.(value)) return issue(COMMON_PASSWORD_REASON);
    })
    .meta({
      description: `${PASSWORD_POLICY.minLength} to ${PASSWORD_POLICY.maxLength} characters, any characters, not a commonly used password. Compared exactly as sent after NFKC normalisation; never truncated.`,
      format: 'password',
    });
}

/** A new password, without the common-password check (the service adds it). */
export const newPasswordSchema = newPasswordSchemaWith();

/** `POST /register` body with the service's password checks. Unknown fields are refused. */
export function registerRequestSchemaWith(checks: NewPasswordChecks = {}) {
  return z.strictObject({ username: usernameSchema, password: newPasswordSchemaWith(checks) });
}

/** `POST /register` body. Unknown fields are refused. */
export const registerRequestSchema = registerRequestSchemaWith();
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

/** `POST /register` 201 body. */
export const registerResponseSchema = z.object({
  /** The new user's id (a UUID); the `sub` of their tokens. */
  id: z.uuid().meta({ description: "The new user's id; the `sub` of their tokens." }),
  /** The username as stored (NFKC-normalised, case preserved). */
  username: z.string().meta({ description: 'As stored: NFKC-normalised, case preserved.' }),
});
export type RegisterResponse = z.infer<typeof registerResponseSchema>;

/**
 * `POST /login` body. Only the shape is checked here: the username policy
 * may change, and a name registered under an older policy must still log
 * in, so a well-shaped but wrong value gets the same 401 as any other wrong
 * credential. What is refused (400) is input that no account can ever
 * match, whatever is stored: control and format characters in the username
 * (PostgreSQL would refuse a NUL in text with an error) and lone surrogates.
 * That answer depends on the request alone, so it says nothing about which
 * accounts exist.
 */
export const loginRequestSchema = z.strictObject({
  username: z
    .string({ error: stringError })
    .min(1, { error: 'must not be empty' })
    .max(RAW_INPUT_MAX)
    .refine((value) => !CONTROL_OR_FORMAT.test(value.normalize('NFKC')), {
      error: 'must not contain control or format characters',
    })
    .refine((value) => !LONE_SURROGATE.test(value), { error: NOT_UNICODE }),
  password: z
    .string({ error: stringError })
    .min(1, { error: 'must not be empty' })
    .max(RAW_INPUT_MAX)
    .refine((value) => !LONE_SURROGATE.test(value), { error: NOT_UNICODE }),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** A successful token response (RFC 6749 §5.1), sent with `Cache-Control: no-store`. */
export const tokenResponseSchema = z.object({
  /** The access token: a compact JWS, RS256, `typ: at+jwt`. */
  access_token: z.string().meta({ description: 'A compact JWS, RS256, `typ: at+jwt` (RFC 9068).' }),
  /** RFC 6750: always `Bearer`. */
  token_type: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expires_in: z.int().positive().meta({ description: 'Seconds until the access token expires.' }),
  /** An opaque refresh token, when the grant issues one. */
  refresh_token: z
    .string()
    .optional()
    .meta({ description: 'Opaque; spent by its first use at `POST /token`.' }),
  /** The granted scopes, space-separated (RFC 6749 §3.3), when any. */
  scope: z
    .string()
    .optional()
    .meta({
      description: 'The scopes of the access token, space-separated.',
      examples: ['profile'],
    }),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** RFC 8414 authorization server metadata, the members this service publishes. */
export const authorizationServerMetadataSchema = z.object({
  issuer: z.string(),
  jwks_uri: z.string(),
  token_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  registration_endpoint: z.string().optional(),
  grant_types_supported: z.array(z.string()).optional(),
  response_types_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  revocation_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  scopes_supported: z.array(z.string()).optional(),
  /** Non-standard: where a first-party client creates a user account. */
  user_registration_endpoint: z.string().optional(),
  /** Non-standard: where a first-party client posts a username and password. */
  login_endpoint: z.string().optional(),
  /** Non-standard: the access-token signing algorithms (mirrors OIDC's `id_token_signing_alg_values_supported`). */
  access_token_signing_alg_values_supported: z.array(z.string()).optional(),
});
export type AuthorizationServerMetadata = z.infer<typeof authorizationServerMetadataSchema>;

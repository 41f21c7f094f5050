/** Response bodies of the resource service. */
import { z } from 'zod';

/** The claims of the caller's token that the resource service used. */
export const verifiedClaimsSchema = z.object({
  iss: z.string(),
  sub: z.string().meta({ description: "The user's id." }),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.int(),
  iat: z.int(),
  jti: z.string(),
  username: z.string(),
  scope: z
    .string()
    .optional()
    .meta({
      description: 'Space-separated scopes (RFC 9068 §2.2.3).',
      examples: ['profile admin'],
    }),
  sid: z.string().optional().meta({ description: 'The session the token belongs to.' }),
  client_id: z.string().optional(),
});
export type VerifiedClaims = z.infer<typeof verifiedClaimsSchema>;

/** `GET /protected` 200 body. */
export const protectedResponseSchema = z.object({
  /** `Hello, <username>! This is a protected resource.` */
  message: z.string().meta({ examples: ['Hello, alice! This is a protected resource.'] }),
  /** The verified claims the answer was built from. */
  claims: verifiedClaimsSchema,
});
export type ProtectedResponse = z.infer<typeof protectedResponseSchema>;

/** How the access tokens this replica was shown fared since it started, by outcome. */
export const verificationCountsSchema = z.object({
  /** Verified, of a live session: served. */
  valid: z.int().min(0),
  /** Malformed, forged, expired or not for this audience: 401. */
  invalid: z.int().min(0),
  /** No bearer token: 401 with a bare challenge. */
  missing: z.int().min(0),
  /** Verified, but its session has ended: 401. */
  revoked: z.int().min(0),
  /** The keys or the revocation list could not be known: 503. */
  unavailable: z.int().min(0),
});
export type VerificationCounts = z.infer<typeof verificationCountsSchema>;

/** `GET /admin/reports` 200 body: an operator's view of this replica (needs the `admin` scope). */
export const adminReportResponseSchema = z.object({
  generated_at: z.iso.datetime(),
  /** Who asked: the token's `sub` and `username`. */
  requested_by: z.object({ sub: z.string(), username: z.string() }),
  /** Access tokens seen by this replica since it started, by outcome. */
  verifications: verificationCountsSchema,
  /** The revocation list: ended sessions held, and how old the last complete feed read is. */
  revocations: z.object({
    sessions: z.int().min(0),
    lag_seconds: z.number().nullable(),
  }),
});
export type AdminReportResponse = z.infer<typeof adminReportResponseSchema>;

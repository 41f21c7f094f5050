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

/** `GET /admin/reports` 200 body: an operator's view of this replica (needs the `admin` scope). */
export const adminReportResponseSchema = z.object({
  generated_at: z.iso.datetime(),
  /** Who asked: the token's `sub` and `username`. */
  requested_by: z.object({ sub: z.string(), username: z.string() }),
  /** The issuer's keys as this replica holds them. */
  jwks: z.object({
    status: z.enum(['never_fetched', 'fresh', 'stale', 'expired']),
    keys: z.int().min(0),
    fetched_at: z.iso.datetime().nullable(),
  }),
  /** The revocation list: ended sessions held, and how old the last complete feed read is. */
  revocations: z.object({
    sessions: z.int().min(0),
    lag_seconds: z.number().nullable(),
  }),
  /** Access tokens whose verified claims this replica holds in memory. */
  verified_tokens: z.object({ cached: z.int().min(0) }),
});
export type AdminReportResponse = z.infer<typeof adminReportResponseSchema>;

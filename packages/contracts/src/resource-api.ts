/** Response bodies of the resource service. */
import { z } from 'zod';
import { accessTokenClaimsSchema } from './claims';

/** `GET /protected` 200 body. */
export const protectedResponseSchema = z.object({
  /** `Hello, <username>! This is a protected resource.` */
  message: z.string().meta({ examples: ['Hello, alice! This is a protected resource.'] }),
  /** The verified claims the answer was built from. */
  claims: accessTokenClaimsSchema,
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

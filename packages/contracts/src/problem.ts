/**
 * RFC 9457 problem details: the body of every error either service answers
 * with. The codes and their statuses are the catalogue in `errors.ts`.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, INVALID_GRANT_REASONS } from './errors';

/** The media type of every error body (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One invalid input field: which one, and why. */
export const fieldErrorSchema = z.object({
  /** The field's name, dotted for nested fields (`password`, `address.city`); `""` for the whole body. */
  field: z.string().meta({ description: 'Dotted for nested fields; empty for the whole body.' }),
  /** Why it was refused, as a sentence fragment a person can act on. */
  reason: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** An RFC 9457 problem details object with this project's extension members. */
export const problemDetailsSchema = z.object({
  /** RFC 9457 §3.1.1: a URI reference identifying the problem type; stable per `code`. */
  type: z.string(),
  /** RFC 9457 §3.1.3: a short human summary of the problem type. */
  title: z.string(),
  /** RFC 9457 §3.1.2: the HTTP status code, repeated for convenience. */
  status: z.int(),
  /** RFC 9457 §3.1.4: a human explanation of this occurrence. */
  detail: z.string().optional(),
  /** RFC 9457 §3.1.5: the request path this problem occurred on. */
  instance: z.string().optional(),
  /** Extension: the stable machine-readable error code. */
  code: z
    .enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]])
    .meta({ description: 'Stable; switch on this, never on `title` or `detail`.' }),
  /** Extension: per-field reasons for `validation_failed`. */
  errors: z.array(fieldErrorSchema).optional(),
  /** Extension: `invalid_grant` only: what happened to the refresh token. */
  reason: z
    .enum(INVALID_GRANT_REASONS)
    .optional()
    .meta({ description: '`invalid_grant` only: what happened to the refresh token.' }),
  /** Extension: the request id, also in the logs; always present on a 5xx. */
  request_id: z.string().optional(),
});
export type ProblemDetails = z.infer<typeof problemDetailsSchema>;

/** The `type` URI of a problem code. Not dereferenceable; stable. */
export function problemType(code: ErrorCode): string {
  return `tag:authpair,2026:problem:${code}`;
}

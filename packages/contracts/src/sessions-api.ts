/**
 * The session endpoints of the auth service (`/logout`, `/sessions`,
 * `/password`) and the revocation feed the resource service reads.
 */
import { z } from 'zod';
import { loginRequestSchema, type NewPasswordChecks, newPasswordSchemaWith } from './auth-api';

/** Why a session ended before its time. */
export const SESSION_END_REASONS = [
  /** `POST /logout`. */
  'logout',
  /** `POST /logout?scope=all`. */
  'logout_all',
  /** `DELETE /sessions/{id}`. */
  'ended_by_user',
  /** `POST /revoke` (RFC 7009) with one of the session's tokens. */
  'token_revoked',
  /** A spent refresh token was presented again (RFC 9700 §4.14.2). */
  'refresh_token_reuse',
  /** The user changed their password from another session (ASVS 7.4.3). */
  'password_changed',
  /** An administrator disabled the user (ASVS 7.4.2): every session ends at once. */
  'user_disabled',
  /** A privileged role was revoked: sessions holding tokens with its scope end. */
  'role_changed',
  /** An administrator ended the session (`DELETE /admin/users/{id}/sessions…`). */
  'ended_by_admin',
  /** A login beyond `SESSION_MAX_PER_USER` live sessions ended the user's oldest. */
  'session_limit',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

const timestamp = () => z.iso.datetime().meta({ description: 'RFC 3339, UTC.' });

/** A live session as the session endpoints list it (without `current`: the admin API's view). */
export const sessionSummarySchema = z.object({
  /** The session id: the `sid` of its access tokens. */
  id: z.uuid().meta({ description: 'The session id: the `sid` claim of its access tokens.' }),
  created_at: timestamp(),
  /** The last login or refresh. */
  last_used_at: timestamp().meta({ description: 'The last login or refresh.' }),
  /** When the session ends whatever its activity (`SESSION_MAX_AGE`). */
  expires_at: timestamp().meta({
    description: 'When the session ends whatever its activity (`SESSION_MAX_AGE`).',
  }),
  /** When it ends unless refreshed before (`REFRESH_TOKEN_TTL` after the last use). */
  idle_expires_at: timestamp().meta({
    description: 'When it ends unless refreshed before (`REFRESH_TOKEN_TTL` after the last use).',
  }),
  /** The client address at login, as the service saw it (see `TRUST_PROXY`). */
  client_address: z.string().nullable(),
  /** The `User-Agent` at login, truncated. */
  user_agent: z.string().nullable(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

/** One of the caller's live sessions, as `GET /sessions` lists it. */
export const sessionViewSchema = sessionSummarySchema.extend({
  /** Whether the request's own access token belongs to this session. */
  current: z
    .boolean()
    .meta({ description: "Whether the request's own access token belongs to this session." }),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

/** `GET /sessions` 200 body, most recently used first. */
export const sessionListResponseSchema = z.object({ sessions: z.array(sessionViewSchema) });
export type SessionListResponse = z.infer<typeof sessionListResponseSchema>;

/** `POST /logout` query: no `scope` ends this session, `scope=all` every session of the user. */
export const logoutQuerySchema = z.looseObject({
  scope: z.enum(['all'], { error: 'must be all, or absent for this session only' }).optional(),
});

/**
 * `POST /password` body, with the service's checks of the new password (the
 * same as at registration). The current password is only shape-checked here,
 * like at login; the service verifies it.
 */
export function changePasswordRequestSchemaWith(checks: NewPasswordChecks = {}) {
  return z.strictObject({
    current_password: loginRequestSchema.shape.password,
    new_password: newPasswordSchemaWith(checks),
  });
}
/** `POST /password` body, without the common-password check (the service adds it). */
export const changePasswordRequestSchema = changePasswordRequestSchemaWith();
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** The `current_password` reason when it is not the user's password. */
export const WRONG_CURRENT_PASSWORD_REASON = 'is not the current password';

/** `POST /password` 200 body. */
export const changePasswordResponseSchema = z.object({
  /** How many of the user's other sessions were ended; the caller's own session continues. */
  sessions_ended: z.int().min(0).meta({
    description:
      "How many of the user's other sessions were ended; the caller's own session continues.",
  }),
});
export type ChangePasswordResponse = z.infer<typeof changePasswordResponseSchema>;

/** Where the auth service publishes ended sessions (not public: a shared bearer secret guards it). */
export const REVOCATION_FEED_PATH = '/internal/revocations';

/** Most revocations in one feed page, unless the reader asks for more (`limit`). */
export const REVOCATION_FEED_PAGE_SIZE = 1000;

/**
 * Most revocations a reader may ask for in one page (`?limit=`): a burst of
 * 100,000 is then 20 pages, about 550 KB each.
 */
export const REVOCATION_FEED_MAX_PAGE_SIZE = 5000;

/**
 * One ended session in the feed. `reason` is one of `SESSION_END_REASONS`
 * when sent; readers accept any short string, because a newer auth service
 * may add reasons, and refusing a whole page over one would stop revocation.
 */
export const revokedSessionSchema = z.object({
  /** The session id: access tokens whose `sid` is this must be refused. */
  sid: z.string().min(1).max(128),
  revoked_at: z.iso.datetime({ offset: true }),
  reason: z
    .string()
    .max(64)
    .meta({ description: `Why it ended: ${SESSION_END_REASONS.join(', ')}; more may be added.` }),
});
export type RevokedSession = z.infer<typeof revokedSessionSchema>;

/**
 * `GET /internal/revocations?since=<cursor>` 200 body: the sessions ended
 * within the last access-token lifetime, after `since` (all of them
 * without it). Pass `cursor` as the next `since`; while `has_more`, ask
 * again at once. The resource service parses each page with this schema.
 */
export const revocationFeedPageSchema = z.object({
  revocations: z.array(revokedSessionSchema).max(REVOCATION_FEED_MAX_PAGE_SIZE),
  /** Opaque; the position after the last revocation this page covers. */
  cursor: z.string().min(1).max(128),
  has_more: z.boolean(),
});
export type RevocationFeedPage = z.infer<typeof revocationFeedPageSchema>;

/** `GET /internal/revocations` query. */
const FEED_LIMIT_ERROR = `must be an integer from 1 to ${REVOCATION_FEED_MAX_PAGE_SIZE}`;

export const revocationFeedQuerySchema = z.looseObject({
  since: z.string({ error: 'must be given once' }).optional().meta({
    description: 'The `cursor` of the previous page; absent for the whole window.',
  }),
  limit: z.coerce
    .number({ error: FEED_LIMIT_ERROR })
    .int({ error: FEED_LIMIT_ERROR })
    .min(1, { error: FEED_LIMIT_ERROR })
    .max(REVOCATION_FEED_MAX_PAGE_SIZE, { error: FEED_LIMIT_ERROR })
    .default(REVOCATION_FEED_PAGE_SIZE)
    .meta({
      description: `Revocations per page, 1 to ${REVOCATION_FEED_MAX_PAGE_SIZE} (default ${REVOCATION_FEED_PAGE_SIZE}): a reader catching up with a burst asks for more.`,
    }),
});

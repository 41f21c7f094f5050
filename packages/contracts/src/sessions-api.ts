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
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** One of the caller's live sessions, as `GET /sessions` lists it. */
export interface SessionView {
  /** The session id: the `sid` of its access tokens. */
  id: string;
  /** RFC 3339 times. */
  created_at: string;
  /** The last login or refresh. */
  last_used_at: string;
  /** When the session ends whatever its activity (`SESSION_MAX_AGE`). */
  expires_at: string;
  /** When it ends unless refreshed before (`REFRESH_TOKEN_TTL` after the last use). */
  idle_expires_at: string;
  /** The client address at login, as the service saw it (see `TRUST_PROXY`). */
  client_address: string | null;
  /** The `User-Agent` at login, truncated. */
  user_agent: string | null;
  /** Whether the request's own access token belongs to this session. */
  current: boolean;
}

/** `GET /sessions` 200 body, most recently used first. */
export interface SessionListResponse {
  sessions: SessionView[];
}

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
export type ChangePasswordRequest = z.infer<ReturnType<typeof changePasswordRequestSchemaWith>>;

/** The `current_password` reason when it is not the user's password. */
export const WRONG_CURRENT_PASSWORD_REASON = 'is not the current password';

/** `POST /password` 200 body. */
export interface ChangePasswordResponse {
  /** How many of the user's other sessions were ended; the caller's own session continues. */
  sessions_ended: number;
}

/** Where the auth service publishes ended sessions (not public: a shared bearer secret guards it). */
export const REVOCATION_FEED_PATH = '/internal/revocations';

/** Most revocations in one feed page. */
export const REVOCATION_FEED_PAGE_SIZE = 1000;

/** One ended session in the feed. */
export interface RevokedSession {
  /** The session id: access tokens whose `sid` is this must be refused. */
  sid: string;
  /** RFC 3339. */
  revoked_at: string;
  reason: SessionEndReason;
}

/**
 * `GET /internal/revocations?since=<cursor>` 200 body: the sessions ended
 * within the last access-token lifetime, after `since` (all of them
 * without it). Pass `cursor` as the next `since`; while `has_more`, ask
 * again at once.
 */
export interface RevocationFeedPage {
  revocations: RevokedSession[];
  /** Opaque; the position after the last revocation this page covers. */
  cursor: string;
  has_more: boolean;
}

/** Parses a feed page as the resource service receives it. */
export const revocationFeedPageSchema = z.object({
  revocations: z
    .array(
      z.object({
        sid: z.string().min(1).max(128),
        revoked_at: z.iso.datetime({ offset: true }),
        reason: z.string().max(64),
      }),
    )
    .max(REVOCATION_FEED_PAGE_SIZE),
  cursor: z.string().min(1).max(128),
  has_more: z.boolean(),
});

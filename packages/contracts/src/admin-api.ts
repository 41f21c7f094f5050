/**
 * The admin API of the auth service (`/admin/…`, for access tokens with the
 * `admin` scope): users, their roles and sessions, and the audit trail.
 */
import { z } from 'zod';
import { roleSchema } from './roles';
import { sessionSummarySchema } from './sessions-api';

/** Most items in one page of a list; `limit` defaults to `DEFAULT_PAGE_SIZE`. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

const PAGE_SIZE_ERROR = `must be an integer from 1 to ${MAX_PAGE_SIZE}`;

/** `?limit=`: how many items a page holds. */
const limitSchema = z.coerce
  .number({ error: PAGE_SIZE_ERROR })
  .int({ error: PAGE_SIZE_ERROR })
  .min(1, { error: PAGE_SIZE_ERROR })
  .max(MAX_PAGE_SIZE, { error: PAGE_SIZE_ERROR })
  .default(DEFAULT_PAGE_SIZE)
  .meta({ description: `Items per page, 1 to ${MAX_PAGE_SIZE}.` });

/** `?cursor=`: the `next_cursor` of the previous page. Opaque. */
const cursorSchema = z
  .string({ error: 'must be given once' })
  .min(1)
  .max(512)
  .optional()
  .meta({ description: 'The `next_cursor` of the previous page; absent for the first page.' });

const nextCursorSchema = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' });

const timestamp = z.iso.datetime();

/** A user as an administrator sees it. Never a password hash. */
export const adminUserSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  roles: z.array(roleSchema).meta({ description: 'Always holds `user`.' }),
  created_at: timestamp,
  /** When an administrator disabled the account; null while it is enabled. */
  disabled_at: timestamp.nullable().meta({ description: 'Null while the account is enabled.' }),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

/** `GET /admin/users` query. */
export const adminUserListQuerySchema = z.looseObject({
  limit: limitSchema,
  cursor: cursorSchema,
  role: roleSchema.optional().meta({ description: 'Only users holding this role.' }),
  status: z
    .enum(['enabled', 'disabled'], { error: 'must be enabled or disabled' })
    .optional()
    .meta({ description: 'Only enabled, or only disabled, users.' }),
  username: z
    .string({ error: 'must be given once' })
    .min(1)
    .max(64)
    // No username holds one, and PostgreSQL refuses NUL in text: a 400, never a 500.
    .refine((value) => !/[\p{Cc}\p{Cf}\p{Cs}]/u.test(value), {
      error: 'must not contain control or format characters',
    })
    .optional()
    .meta({
      description: 'Only usernames starting with this (compared ignoring case, after NFKC).',
    }),
});
export type AdminUserListQuery = z.infer<typeof adminUserListQuerySchema>;

/** `GET /admin/users` 200 body, ordered by canonical username. */
export const adminUserPageSchema = z.object({
  users: z.array(adminUserSchema),
  next_cursor: nextCursorSchema,
});
export type AdminUserPage = z.infer<typeof adminUserPageSchema>;

/** `POST /admin/users/{id}/disable` 200 body. */
export const disableUserResponseSchema = z.object({
  user: adminUserSchema,
  /** Sessions this call ended (0 when the user was already disabled). */
  sessions_ended: z.int().min(0),
});
export type DisableUserResponse = z.infer<typeof disableUserResponseSchema>;

/** `PUT` / `DELETE /admin/users/{id}/roles/{role}` 200 body. */
export const roleChangeResponseSchema = z.object({
  user: adminUserSchema,
  /** Whether the call changed anything (false: the user already held, or lacked, the role). */
  changed: z.boolean(),
  /** Sessions ended by revoking a role that grants a privileged scope. */
  sessions_ended: z.int().min(0),
});
export type RoleChangeResponse = z.infer<typeof roleChangeResponseSchema>;

/** `GET /admin/users/{id}/sessions` 200 body, most recently used first. */
export const adminSessionListSchema = z.object({ sessions: z.array(sessionSummarySchema) });
export type AdminSessionList = z.infer<typeof adminSessionListSchema>;

/** `DELETE /admin/users/{id}/sessions` 200 body. */
export const endSessionsResponseSchema = z.object({ sessions_ended: z.int().min(0) });
export type EndSessionsResponse = z.infer<typeof endSessionsResponseSchema>;

/** `{role}` of the role routes. */
export const roleParamsSchema = z.object({ role: roleSchema });

/** Security-relevant events, each written to the append-only audit trail. */
export const AUDIT_EVENT_TYPES = [
  /** `auth-admin users create`. */
  'user_created',
  'login_succeeded',
  /** Wrong password, unknown user, or a disabled account. */
  'login_failed',
  'password_changed',
  /** A spent refresh token was presented again; its session was ended. */
  'refresh_token_reused',
  'session_revoked',
  'role_granted',
  'role_revoked',
  'user_disabled',
  'user_enabled',
  'signing_key_created',
  'signing_key_activated',
  'signing_key_retired',
  'signing_keys_rewrapped',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * Who caused an event: a signed-in `user` (an admin, or users acting on
 * their own account), an `anonymous` request (a login attempt, a refresh
 * token presented), the `cli` (`auth-admin`, run by an operator with the
 * database's credentials), or the `service` itself (the key scheduler).
 */
export const AUDIT_ACTOR_KINDS = ['user', 'anonymous', 'cli', 'service'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** One audit event as the admin API returns it. */
export const auditEventSchema = z.object({
  /** Increasing with time of writing; the list's cursor. */
  id: z.string().regex(/^\d+$/),
  type: z.enum(AUDIT_EVENT_TYPES),
  occurred_at: timestamp,
  actor: z.object({
    kind: z.enum(AUDIT_ACTOR_KINDS),
    /** The acting user, for `user` (and `anonymous` once a login proved who it is). */
    user_id: z.uuid().nullable(),
  }),
  /** The user the event is about, when there is one. */
  target_user_id: z.uuid().nullable(),
  client_address: z.string().nullable(),
  /**
   * The id the auth service generated for the request that caused the
   * event: `req_id` in its log lines, `X-Request-Id` in its response.
   * Null for the CLI and the service's own steps. (Events written before
   * migration 0009 may hold a client's id here.)
   */
  request_id: z.string().nullable(),
  /**
   * The `X-Request-Id` the client sent with that request, if any
   * (`client_req_id` in the log lines, echoed as `X-Client-Request-Id`).
   * The client's own label, not evidence: any client can send any id.
   */
  client_request_id: z.string().nullable(),
  /** Event-specific facts (`session_id`, `reason`, `role`, `kid`…); never a secret. */
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** `GET /admin/audit-events` query. */
export const auditEventQuerySchema = z.looseObject({
  limit: limitSchema,
  cursor: cursorSchema,
  user_id: z
    .uuid({ error: 'must be a user id' })
    .optional()
    .meta({ description: 'Only events this user caused or was the target of.' }),
  type: z
    .enum(AUDIT_EVENT_TYPES, { error: 'must be an audit event type' })
    .optional()
    .meta({ description: 'Only events of this type.' }),
});
export type AuditEventQuery = z.infer<typeof auditEventQuerySchema>;

/** `GET /admin/audit-events` 200 body, newest first. */
export const auditEventPageSchema = z.object({
  events: z.array(auditEventSchema),
  next_cursor: nextCursorSchema,
});
export type AuditEventPage = z.infer<typeof auditEventPageSchema>;

import type { AuditActorKind, AuditEventType } from '@authpair/contracts';
import type { Queryable } from '../db/pool';

/** Who acts: a user (by id), an anonymous request, the CLI, or the service itself. */
export interface AuditActor {
  kind: AuditActorKind;
  userId: string | null;
}

/** Who caused a change, and from where: carried from the request (or the CLI) to the write. */
export interface AuditContext {
  actor: AuditActor;
  clientAddress: string | null;
  /** The id this service gave the request (`req_id` in its log lines). */
  requestId: string | null;
  /** The caller's own `X-Request-Id`, kept apart: any client can send any id. */
  clientRequestId: string | null;
}

/** Small facts about an event (ids, reasons, counts); never a secret. */
export type AuditDetail = Record<string, string | number | boolean | null>;

/** One event to record. */
export interface AuditRecord {
  type: AuditEventType;
  targetUserId?: string | null;
  detail?: AuditDetail;
}

/** Changes the service makes by itself (the key scheduler, first start). */
export const SERVICE_AUDIT: AuditContext = {
  actor: { kind: 'service', userId: null },
  clientAddress: null,
  requestId: null,
  clientRequestId: null,
};

/** Changes made with `auth-admin`: an operator holding the database's credentials. */
export const CLI_AUDIT: AuditContext = {
  actor: { kind: 'cli', userId: null },
  clientAddress: null,
  requestId: null,
  clientRequestId: null,
};

/** The context's columns as statement parameters, in `AUDIT_CONTEXT_COLUMNS` order. */
export function auditContextParams(context: AuditContext): unknown[] {
  return [
    context.actor.kind,
    context.actor.userId,
    context.clientAddress,
    context.requestId,
    context.clientRequestId,
  ];
}

/** The columns `auditContextParams` fills. */
export const AUDIT_CONTEXT_COLUMNS =
  'actor_kind, actor_user_id, client_address, request_id, client_request_id';

/** Their SQL types, in that order: for parameters in a SELECT list, which are otherwise text. */
export const AUDIT_CONTEXT_TYPES = ['text', 'uuid', 'text', 'text', 'text'] as const;

/**
 * Appends one event. Call it with the transaction of the change it records
 * (`db` is then that transaction's client), so the event and the change
 * commit or roll back together.
 */
export async function recordAudit(
  db: Queryable,
  context: AuditContext,
  record: AuditRecord,
): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (type, target_user_id, detail, ${AUDIT_CONTEXT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      record.type,
      record.targetUserId ?? null,
      JSON.stringify(record.detail ?? {}),
      ...auditContextParams(context),
    ],
  );
}

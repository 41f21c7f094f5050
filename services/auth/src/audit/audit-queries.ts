import type { AuditActorKind, AuditEvent, AuditEventType } from '@authpair/contracts';
import type { Queryable } from '../db/pool';

export interface AuditFilter {
  /** Events this user caused or was the target of. */
  userId?: string | undefined;
  type?: AuditEventType | undefined;
  /** Only events older than this id (the previous page's last). */
  beforeId?: bigint | undefined;
  limit: number;
}

interface AuditRow {
  id: string;
  type: AuditEventType;
  occurred_at: Date;
  actor_kind: AuditActorKind;
  actor_user_id: string | null;
  target_user_id: string | null;
  client_address: string | null;
  request_id: string | null;
  client_request_id: string | null;
  detail: Record<string, unknown>;
}

/** Reads the audit trail (writes go through `recordAudit`, in the change's transaction). */
export function createAuditQueries(db: Queryable) {
  return {
    /** Newest first. One more row than asked is read, to know whether a next page exists. */
    async list(filter: AuditFilter): Promise<{ events: AuditEvent[]; more: boolean }> {
      const { rows } = await db.query<AuditRow>(
        `SELECT id::text AS id, type, occurred_at, actor_kind, actor_user_id, target_user_id,
                client_address, request_id, client_request_id, detail
           FROM audit_events
          WHERE ($1::uuid IS NULL OR target_user_id = $1 OR actor_user_id = $1)
            AND ($2::text IS NULL OR type = $2)
            AND ($3::bigint IS NULL OR id < $3)
          ORDER BY id DESC
          LIMIT $4`,
        [
          filter.userId ?? null,
          filter.type ?? null,
          filter.beforeId?.toString() ?? null,
          filter.limit + 1,
        ],
      );
      const events = rows.slice(0, filter.limit).map(
        (row): AuditEvent => ({
          id: row.id,
          type: row.type,
          occurred_at: row.occurred_at.toISOString(),
          actor: { kind: row.actor_kind, user_id: row.actor_user_id },
          target_user_id: row.target_user_id,
          client_address: row.client_address,
          request_id: row.request_id,
          client_request_id: row.client_request_id,
          detail: row.detail,
        }),
      );
      return { events, more: rows.length > filter.limit };
    },
  };
}

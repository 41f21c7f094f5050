import type { AuditEvent } from '@authpair/contracts';
import type { Pool } from 'pg';
import { type AuditFilter, createAuditQueries } from './audit-queries';

/** A page of the audit trail, newest first. */
export interface AuditPage {
  events: AuditEvent[];
  /** Whether older events exist beyond this page. */
  more: boolean;
}

/** Reading the audit trail: what `/admin/audit-events` serves. */
export interface AuditTrail {
  list(filter: AuditFilter): Promise<AuditPage>;
}

/** The audit trail on the service's pool (writes go through `recordAudit`, in each change's transaction). */
export function createAuditTrail({ pool }: { pool: Pool }): AuditTrail {
  const queries = createAuditQueries(pool);
  return {
    list: (filter) => queries.list(filter),
  };
}
